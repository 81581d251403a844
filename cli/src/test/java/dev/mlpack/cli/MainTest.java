package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command-line contract: version, help, usage errors and exit codes. None of these need a model. */
class MainTest {
    @TempDir Path tmp;

    /** Exit code {@code code} and exactly one stderr line, {@code mlpack: ...}. */
    static CliRunner.Result assertOneLineError(int code, CliRunner.Result r) {
        assertEquals(code, r.code(), () -> "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines().size(), () -> "one stderr line expected, got:\n" + r.err());
        assertTrue(r.err().startsWith("mlpack: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        return r;
    }

    @Test
    void version() {
        CliRunner.Result r = CliRunner.run("--version");
        assertEquals(0, r.code());
        assertEquals("mlpack 0.1.0", r.out().strip());
        assertEquals("", r.err());
    }

    /** Runs {@code args}, failing if picocli warned about help text it cannot format (e.g. an unescaped %). */
    private static CliRunner.Result runWithoutPicocliWarnings(String... args) {
        // picocli prints those warnings on System.err, outside the command's streams.
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        CliRunner.Result r;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            r = CliRunner.run(args);
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void help() {
        CliRunner.Result r = runWithoutPicocliWarnings("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: mlpack"), r.out());
        for (String command : new String[] {"optimize", "evaluate", "inspect", "package", "serve", "demo"}) {
            assertTrue(r.out().contains(command), command);
        }
        assertTrue(r.out().contains("Exit codes"), r.out());
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"optimize", "evaluate", "inspect", "package", "demo"})
    void helpOnEveryCommand(String command) {
        CliRunner.Result r = runWithoutPicocliWarnings(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: mlpack " + command), r.out());
        assertEquals("", r.err());

        CliRunner.Result viaHelp = CliRunner.run("help", command);
        assertEquals(0, viaHelp.code(), viaHelp.err());
        assertTrue(viaHelp.out().startsWith("Usage: mlpack " + command), viaHelp.out());
    }

    @Test
    void optimizeHelpListsOptions() {
        String out = CliRunner.run("optimize", "--help").out();
        for (String option : new String[] {"--output", "--quantize", "--io", "--signature", "--json", "--calibration",
                "--calibration-samples", "--calibration-method", "--preprocess", "--resize", "--labels", "--require-int8",
                "--float-layers"}) {
            assertTrue(out.contains(option), option);
        }
    }

    @Test
    void noCommandIsAUsageError() {
        assertTrue(assertOneLineError(2, CliRunner.run()).err().contains("missing command"));
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertOneLineError(2, CliRunner.run("frobnicate"));
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", "--frobnicate", "x"));
        assertTrue(r.err().contains("--frobnicate"), r.err());
        assertTrue(r.err().contains("mlpack optimize --help"), r.err());
    }

    @Test
    void missingModelArgumentIsAUsageError() {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize"));
        assertTrue(r.err().contains("MODEL"), r.err());
    }

    @Test
    void int8WithoutCalibrationIsAUsageError() {
        Path out = tmp.resolve("x.tflite");
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "-o", out.toString(), "--quantize", "int8"));
        assertTrue(r.err().contains("--calibration"), r.err());
        assertFalse(Files.exists(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--preprocess", "--resize", "--calibration-method"})
    void unknownChoicesNameTheValidValues(String option) {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "--quantize", "int8",
                "--calibration", tmp.toString(), option, "bogus"));
        assertTrue(r.err().contains(option + " bogus"), r.err());
        assertTrue(r.err().contains("tf, caffe, torch, raw") || r.err().contains("bilinear, nearest, crop")
                || r.err().contains("minmax, percentile, mse"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--calibration", "--calibration-method", "--calibration-samples", "--float-layers"})
    void int8OptionsNeedInt8(String option) {
        String value = switch (option) {
            case "--calibration-method" -> "minmax";
            case "--calibration-samples" -> "10";
            case "--float-layers" -> "conv1";
            default -> tmp.toString();
        };
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), option, value));
        assertTrue(r.err().contains(option + " applies to --quantize int8 only"), r.err());
    }

    @Test
    void unknownQuantizationIsAUsageError() {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "--quantize", "float8"));
        assertTrue(r.err().contains("float8"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "float16", "dynamic"})
    void eightBitIoNeedsInt8(String mode) {
        for (String io : new String[] {"uint8", "int8"}) {
            CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "--quantize", mode, "--io", io));
            assertTrue(r.err().contains("--io " + io + " needs --quantize int8"), r.err());
        }
    }

    @Test
    void unknownIoIsAUsageError() {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "--io", "int4"));
        assertTrue(r.err().contains("uint8, int8, float32"), r.err());
    }

    @Test
    void missingModelExitsTwoAndWritesNothing() {
        Path out = tmp.resolve("out.tflite");
        Path json = tmp.resolve("out.json");
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.resolve("no-such-model").toString(),
                "-o", out.toString(), "--json", json.toString()));
        assertTrue(r.err().contains("no-such-model"), r.err());
        assertFalse(Files.exists(out), "no output file");
        assertFalse(Files.exists(json), "no json file");
        assertEquals("", r.out());
    }

    @Test
    void folderWithoutSavedModelExitsTwo() {
        Path out = tmp.resolve("out.tflite");
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", tmp.toString(), "-o", out.toString()));
        assertTrue(r.err().contains("saved_model.pb"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void fileInsteadOfFolderExitsTwo() throws IOException {
        Path file = Files.writeString(tmp.resolve("model.tflite"), "x");
        assertOneLineError(2, CliRunner.run("optimize", file.toString(), "-o", tmp.resolve("o.tflite").toString()));
    }

    @Test
    void outputThatIsAFolderIsAUsageError() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.write(model.resolve("saved_model.pb"), new byte[0]);
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("optimize", model.toString(), "-o", tmp.toString()));
        assertTrue(r.err().contains("is a folder"), r.err());
    }

    @Test
    void defaultOutputIsTheModelFolderNameInTheCurrentFolder() {
        assertEquals(Path.of("model.tflite"), OptimizeCommand.defaultOutput(Path.of("samples/model/")));
        assertEquals(Path.of("resnet.tflite"), OptimizeCommand.defaultOutput(Path.of("/models/resnet")));
    }

    @Test
    void inspectMissingPathExitsTwo() {
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("inspect", tmp.resolve("nothing.tflite").toString()));
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void inspectNonTfliteFileExitsTwo() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "hello, this is not a model");
        CliRunner.Result r = assertOneLineError(2, CliRunner.run("inspect", file.toString()));
        assertTrue(r.err().contains("not a TFLite model"), r.err());
    }

    @Test
    void inspectCorruptTfliteExitsTwo() throws IOException {
        byte[] bytes = new byte[64];
        bytes[0] = 0x7f; // root table offset far outside the file
        bytes[1] = 0x7f;
        System.arraycopy("TFL3".getBytes(), 0, bytes, 4, 4);
        Path file = Files.write(tmp.resolve("broken.tflite"), bytes);
        assertOneLineError(2, CliRunner.run("inspect", file.toString()));
    }

    @Test
    void demoWithoutTheSampleFailsWithOneLine() {
        CliRunner.Result r = assertOneLineError(1, CliRunner.run("demo", "--home", tmp.toString(), "--out", tmp.resolve("demo").toString()));
        assertTrue(r.err().contains("samples/model"), r.err());
    }
}
