package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlpack serve}: the model argument and the server's own options pass through to the server, as they are. */
class ServeCommandTest {
    @TempDir Path tmp;

    @Test
    void theLauncherRunsTheServerWithTheProcfilesFlagsAndItsNatives() throws Exception {
        // No model the server accepts: no AOT cache, and mlpack serve still gets its flags and natives.
        Path dir = tmp.resolve("serve");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        assertEquals(Main.OK, ServeCommand.setUpLauncher(dir, tmp.resolve("mlpack-server.jar"), List.of(tmp.resolve("none.tflite").toString()),
                new java.io.PrintStream(err, true)));
        assertEquals(String.join(" ", dev.mlpack.packager.JvmSizing.flags(dev.mlpack.packager.Dyno.STANDARD_1X)),
                java.nio.file.Files.readString(dir.resolve("jvm.flags")).strip());
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("natives/libjnitensorflowlite.so")));
        assertFalse(java.nio.file.Files.exists(dir.resolve("server.aot")));
        assertTrue(err.toString().contains("no AOT cache for the server, it boots without one"), err.toString());
    }

    @Test
    void missingModelIsAUsageError() {
        assertEquals(Main.BAD_INPUT, CliRunner.run("serve", tmp.resolve("none.tflite").toString()).code());
        assertEquals(Main.BAD_INPUT, CliRunner.run("serve", "--bogus").code());
    }

    @Test
    void helpIsTheServersOptionList() {
        assertEquals(Main.OK, CliRunner.run("serve", "--help").code());
    }

    @Test
    void checkServesTheBundledSample() {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated");
        Path tflite = tmp.resolve("sample.tflite");
        CliRunner.Result optimized = CliRunner.run("optimize", model.toString(), "-o", tflite.toString(), "--quantize", "int8",
                "--calibration", CliRunner.repo().resolve("samples/images").toString(), "--calibration-samples", "20",
                "--preprocess", "tf", "--resize", "bilinear", "--labels", CliRunner.repo().resolve("samples/labels.txt").toString());
        assertEquals(0, optimized.code(), optimized.err());
        // --check starts the server on a free port, sends /ping and one /predict to it, and stops.
        assertEquals(Main.OK, CliRunner.run("serve", tflite.toString(), "--check").code());
    }
}
