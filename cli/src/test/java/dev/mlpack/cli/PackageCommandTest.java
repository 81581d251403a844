package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.packager.ServerDist;
import dev.mlpack.packager.testing.FakeServerDist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlpack package}: output, JSON and exit codes, with the server TEST DOUBLE as the distribution. */
class PackageCommandTest {
    static final Path TINY = CliRunner.repo().resolve("runtime/src/test/resources/models/tiny_classifier.tflite");
    @TempDir Path tmp;

    @BeforeAll
    static void fakeServer() {
        System.setProperty(ServerDist.PROPERTY, FakeServerDist.folder().toString());
    }

    @AfterAll
    static void clear() {
        System.clearProperty(ServerDist.PROPERTY);
    }

    @Test
    void packagesSelfChecksAndWritesTheJson() throws Exception {
        Path out = tmp.resolve("app");
        Path json = tmp.resolve("report.json");
        CliRunner.Result r = CliRunner.run("package", TINY.toString(), "--target", "heroku", "-o", out.toString(), "--name", "tiny-app",
                "--dyno", "standard-2x", "--verify-data", CliRunner.repo().resolve("samples/images").toString(), "--verify-limit", "5",
                "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("packaged " + out.toAbsolutePath() + " (heroku, standard-2x)"), r.out());
        assertTrue(r.out().contains("5/5 images (100.0%): passed"), r.out());
        Map<String, Object> report = JSON.std.mapFrom(Files.readString(json));
        assertEquals(JSON.std.mapFrom(Files.readString(out.resolve("report.json"))), report);
        assertEquals(Map.of("n", 5, "agreement_top1", 1.0), report.get("verify"));
        assertTrue(((String) report.get("procfile")).contains("-Xmx320m"), "sized for Standard-2X");
    }

    @Test
    void overTheBudgetIsExit2WithOneLineNamingTheBudget() {
        CliRunner.Result r = CliRunner.run("package", TINY.toString(), "-o", tmp.resolve("app").toString(), "--max-slug-size", "100MB");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("over the 100.0 MB budget (--max-slug-size)"), r.err());
        assertTrue(Files.notExists(tmp.resolve("app")));
    }

    @Test
    void badInputIsExit2WithOneLine() {
        String out = tmp.resolve("app").toString();
        String[][] cases = {
                {"package", tmp.resolve("missing.tflite").toString(), "-o", out},
                {"package", tmp.toString(), "-o", out},
                {"package", CliRunner.repo().resolve("runtime/src/test/resources/models/tiny_float.tflite").toString(), "-o", out},
                {"package", TINY.toString(), "-o", out, "--dyno", "hobby"},
                {"package", TINY.toString(), "-o", out, "--max-slug-size", "huge"},
                {"package", TINY.toString(), "-o", out, "--name", "Not_Valid"},
                {"package", TINY.toString(), "-o", out, "--target", "lambda"},
                {"package", TINY.toString(), "-o", out, "--java", "21"},
                {"package", TINY.toString(), "-o", out, "--verify-data", tmp.resolve("none").toString()},
        };
        for (String[] args : cases) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("mlpack: "), r.err());
        }
    }
}
