package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlpack serve}: the model argument and the server's own options pass through to the server. */
class ServeCommandTest {
    @TempDir Path tmp;

    @Test
    void theFirstPlainArgumentIsTheModel() {
        assertArrayEquals(new String[] {"--model", "m.tflite", "--port", "9000"},
                ServeCommand.serverArgs(List.of("m.tflite", "--port", "9000")));
        assertArrayEquals(new String[] {"--port", "9000", "--model", "m.tflite", "--quiet"},
                ServeCommand.serverArgs(List.of("--port", "9000", "m.tflite", "--quiet")));
        assertArrayEquals(new String[] {"--labels", "l.txt", "--model", "m.tflite"},
                ServeCommand.serverArgs(List.of("--labels", "l.txt", "m.tflite")));
        assertArrayEquals(new String[] {"--model=m.tflite", "--port=1"}, ServeCommand.serverArgs(List.of("--model=m.tflite", "--port=1")));
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
