package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload page in a real browser: headless Chromium, driven by playwright-core, chooses a sample image in the
 * file input, submits the form, finds the predictions in the page, and takes a screenshot
 * (server/target/browser/upload.png). Skipped when Chromium, Node or playwright-core is missing; {@code .ci/run}
 * installs them where it can (playwright-core into ~/.cache/mlpack/playwright, or $MLPACK_PLAYWRIGHT).
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    @TempDir Path tmp;

    static Path playwrightModules() {
        String env = System.getenv("MLPACK_PLAYWRIGHT");
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "mlpack", "playwright");
        return dir.resolve("node_modules");
    }

    static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void uploadAnImageAndSeeThePredictions() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        assumeTrue(Files.isDirectory(playwrightModules().resolve("playwright-core")), "no playwright-core in " + playwrightModules());
        assumeTrue(nodeWorks(), "no node on PATH");

        Path script = tmp.resolve("upload.js");
        try (InputStream in = BrowserTest.class.getResourceAsStream("upload.js")) {
            Files.write(script, in.readAllBytes());
        }
        Path image = TestModels.sampleImage("Trouser");
        Path shot = TestModels.repo().resolve("server/target/browser/upload.png");
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Server server = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1).build(),
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            String url = "http://127.0.0.1:" + server.port() + "/";
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(), CHROMIUM.toString(), url, image.toString(), shot.toString());
            pb.environment().put("NODE_PATH", playwrightModules().toString());
            pb.redirectError(tmp.resolve("node.err").toFile());
            Process node = pb.start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(90, TimeUnit.SECONDS), "node finished");
            assertEquals(0, node.exitValue(), out + Files.readString(tmp.resolve("node.err")));

            Map<String, Object> result = JSON.std.mapFrom(out.strip().lines().reduce((a, b) -> b).orElse("{}"));
            List<List<String>> rows = (List<List<String>>) result.get("rows");
            assertEquals(5, rows.size(), out);
            assertEquals("Trouser", rows.getFirst().getFirst(), "top prediction shown first: " + out);
            double top = Double.parseDouble(rows.getFirst().get(2));
            assertTrue(top > 0.5 && top <= 1.0, out);
            assertTrue(((String) result.get("status")).contains("5 predictions"), out);
            assertEquals(List.of(), result.get("external"), "the page loads nothing from elsewhere");
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("method=POST path=\"/predict\" route=/predict status=200"),
                    log.toString(StandardCharsets.UTF_8));
        }
        BufferedImage png = ImageIO.read(shot.toFile());
        assertTrue(png != null && png.getWidth() == 900 && png.getHeight() >= 600, "screenshot " + shot);
    }
}
