package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's command line: flags, defaults, $PORT, and one-line usage errors with exit code 2. */
class ServerMainTest {
    @TempDir Path tmp;

    Path model() throws IOException {
        return Files.write(tmp.resolve("m.tflite"), new byte[] {1});
    }

    @Test
    void defaultsAndPortFromTheEnvironment() throws IOException {
        ServerConfig c = ServerMain.parse(new String[] {"--model", model().toString()}, null).config();
        assertEquals(8080, c.port());
        assertEquals("0.0.0.0", c.host());
        assertEquals(10L << 20, c.maxBodyBytes());
        assertEquals(Duration.ofSeconds(25), c.timeout());
        assertEquals(5, c.topK());
        assertEquals(0, c.workers(), "0: one per core, chosen at start");
        assertNull(c.labels());
        assertEquals(5000, ServerMain.parse(new String[] {"--model", model().toString()}, "5000").config().port());
        assertEquals(7, ServerMain.parse(new String[] {"--model", model().toString(), "--port", "7"}, "5000").config().port(),
                "--port overrides $PORT");
    }

    @Test
    void everyFlagOverrides() throws IOException {
        Path labels = Files.write(tmp.resolve("labels.txt"), List.of("a", "b", ""));
        ServerConfig c = ServerMain.parse(new String[] {"--model", model().toString(), "--host=127.0.0.1", "--workers", "3",
                "--threads", "2", "--queue", "0", "--max-body", "2MB", "--max-pixels", "1000", "--timeout", "1.5", "--drain", "3",
                "--top-k", "2", "--labels", labels.toString(), "--preprocess", "caffe", "--resize", "crop", "--model-name", "m1",
                "--max-images", "5", "--header-timeout", "4", "--max-connections", "100", "--quiet"}, null).config();
        assertEquals("127.0.0.1", c.host());
        assertEquals(3, c.workers());
        assertEquals(2, c.threadsPerWorker());
        assertEquals(0, c.queue());
        assertEquals(2L << 20, c.maxBodyBytes());
        assertEquals(1000, c.maxPixels());
        assertEquals(Duration.ofMillis(1500), c.timeout());
        assertEquals(Duration.ofSeconds(3), c.drain());
        assertEquals(2, c.topK());
        assertEquals(List.of("a", "b"), c.labels());
        assertEquals(Preprocess.CAFFE, c.preprocess());
        assertEquals(Resize.CROP, c.resize());
        assertEquals("m1", c.name());
        assertEquals(5, c.maxImages());
        assertEquals(Duration.ofSeconds(4), c.headerTimeout());
        assertEquals(100, c.maxConnections());
        assertEquals(false, c.accessLog());
        assertEquals("m2", ServerMain.parse(new String[] {"--model", model().toString(), "--name", "m2"}, null).config().name(),
                "--name, the option's earlier name, still works");
        assertEquals(model(), ServerMain.parse(new String[] {"--port", "9", model().toString(), "--quiet"}, null).config().model(),
                "the model may come as an argument: mlpack serve MODEL.tflite");
    }

    @Test
    void sizes() {
        assertEquals(1536, ServerMain.bytes("--max-body", "1536"));
        assertEquals(512 * 1024, ServerMain.bytes("--max-body", "512KB"));
        assertEquals(10L << 20, ServerMain.bytes("--max-body", "10mb"));
        assertThrows(ServerMain.UsageException.class, () -> ServerMain.bytes("--max-body", "ten"));
    }

    @Test
    void usageErrorsAreOneLineWithExitCodeTwo() throws IOException {
        String m = model().toString();
        for (String[] args : new String[][] {{}, {"--model"}, {"--model", tmp.resolve("missing.tflite").toString()},
                {"--model", m, "--port", "http"}, {"--model", m, "--timeout", "31"}, {"--model", m, "--workers", "0"},
                {"--model", m, "--bogus"}, {m, m}, {"--model", m, m}, {"--model", m, "--preprocess", "zscore"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ServerMain.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(ServerMain.USAGE_ERROR, code, String.join(" ", args) + ": " + text);
            assertEquals(1, text.strip().lines().count(), text);
            assertTrue(text.startsWith("mlpack-server: "), text);
        }
    }

    @Test
    void modelThatIsNotTfliteIsABadInput() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ServerMain.run(new String[] {"--model", model().toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true));
        assertEquals(ServerMain.USAGE_ERROR, code, err.toString());
        assertTrue(err.toString().contains("not a TFLite model"), err.toString());
    }

    @Test
    void helpListsTheFlags() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, ServerMain.run(new String[] {"--help"}, new PrintStream(out, true), System.err));
        for (String flag : List.of("--model", "--port", "--workers", "--queue", "--max-body", "--max-pixels", "--timeout",
                "--natives", "--extract-natives", "--check")) {
            assertTrue(out.toString().contains(flag), flag);
        }
    }

    @Test
    void checkServesOnePrediction() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ServerMain.run(new String[] {"--model", TestModels.sampleInt8().toString(), "--check"},
                new PrintStream(out, true), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("check: GET /ping -> 200"), text);
        assertTrue(text.contains("check: POST /predict -> 200 {\"predictions\":[{\"label\":"), text);
    }
}
