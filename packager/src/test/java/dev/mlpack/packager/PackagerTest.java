package dev.mlpack.packager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.packager.testing.FakeServerDist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlpack package} end to end on a tiny model, with the server TEST DOUBLE ({@link FakeServerDist}) standing in
 * for issue 6's server: the artifact's files, the archive, the report and the self-check.
 */
class PackagerTest {
    static final Path REPO = Path.of(System.getProperty("mlpack.repo", "..")).toAbsolutePath().normalize();
    static final Path TINY = REPO.resolve("runtime/src/test/resources/models/tiny_classifier.tflite");
    static final Path IMAGES = REPO.resolve("samples/images");

    @TempDir Path tmp;

    private PackageRequest.Builder request(Path out) {
        return PackageRequest.builder(TINY, out).name("tiny-classifier").serverDist(FakeServerDist.get());
    }

    @Test
    void herokuArtifactHoldsTheRuntimeAndEveryPlatformFileAndBootsAsTheProcfileSays() throws Exception {
        Path out = tmp.resolve("artifact");
        List<String> progress = new ArrayList<>();
        PackageResult r = Packager.pack(request(out).verifyData(IMAGES).verifyLimit(10).build(), progress::add);

        for (String f : List.of("model.tflite", "mlpack-server.jar", "Procfile", "system.properties", "app.json", "Dockerfile",
                "heroku.yml", ".slugignore", ".gitignore", "README.md", "tiny-classifier.tar.gz", "report.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.list(out.resolve("lib")).count() >= 3, "lib/ holds the server's libraries");
        assertTrue(Files.list(out.resolve("natives")).anyMatch(p -> p.toString().contains(".so")), "natives/ holds shared libraries");
        assertArrayEquals(Files.readAllBytes(TINY), Files.readAllBytes(out.resolve("model.tflite")));

        SelfCheck.Result check = r.selfCheck();
        assertNotNull(check);
        assertTrue(check.passed(), () -> check.failure() + "\n" + String.join("\n", check.log()));
        assertTrue(check.bootSeconds() < SelfCheck.FAIL_BOOT_SECONDS);
        assertTrue(check.rssMb() > 10 && check.rssMb() < 2000, "VmHWM in MB: " + check.rssMb());
        assertEquals(10, check.n());
        assertEquals(1.0, check.agreementTop1());

        Map<String, Object> report = JSON.std.mapFrom(Files.readString(out.resolve("report.json")));
        for (String key : List.of("artifact", "archive", "archive_bytes", "slug_estimate_bytes", "budget_bytes", "boot_seconds", "rss_mb",
                "verify", "procfile")) {
            assertTrue(report.containsKey(key), key);
        }
        assertEquals(Files.size(out.resolve("tiny-classifier.tar.gz")), ((Number) report.get("archive_bytes")).longValue());
        assertEquals(Map.of("n", 10, "agreement_top1", 1.0), report.get("verify"));
        assertEquals(r.archiveBytes() + SizeBudget.JDK_SLUG_BYTES, ((Number) report.get("slug_estimate_bytes")).longValue());
        assertEquals("web: " + report.get("procfile") + "\n", Files.readString(out.resolve("Procfile")));
    }

    @Test
    void twoRunsGiveByteIdenticalArchives() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Packager.pack(request(a).selfCheck(false).build(), s -> { });
        Packager.pack(request(b).selfCheck(false).build(), s -> { });
        byte[] first = Files.readAllBytes(a.resolve("tiny-classifier.tar.gz"));
        assertArrayEquals(first, Files.readAllBytes(b.resolve("tiny-classifier.tar.gz")));
        // Repackaging into the same folder replaces the artifact and still gives the same bytes.
        Packager.pack(request(a).selfCheck(false).build(), s -> { });
        assertArrayEquals(first, Files.readAllBytes(a.resolve("tiny-classifier.tar.gz")));
    }

    @Test
    void dockerTargetLeavesOutTheHerokuFiles() throws Exception {
        Path out = tmp.resolve("docker");
        PackageResult r = Packager.pack(request(out).target(Target.DOCKER).selfCheck(false).build(), s -> { });
        assertTrue(Files.isRegularFile(out.resolve("Dockerfile")));
        for (String f : List.of("Procfile", "system.properties", "app.json", "heroku.yml", ".slugignore")) {
            assertTrue(Files.notExists(out.resolve(f)), f);
        }
        assertEquals(r.archiveBytes() + SizeBudget.JRE_IMAGE_BYTES, r.verdict().slugEstimateBytes());
        assertTrue(r.command().startsWith("exec java "), r.command());
    }

    @Test
    void anOverBudgetArtifactIsRefusedWithExitCode2AndNothingIsWritten() {
        Path out = tmp.resolve("small-budget");
        PackageException e = assertThrows(PackageException.class,
                () -> Packager.pack(request(out).maxSlugBytes(100 * Sizes.MB).selfCheck(false).build(), s -> { }));
        assertEquals(PackageException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().contains("--max-slug-size"), e.getMessage());
        assertTrue(Files.notExists(out), "no half-written artifact");
    }

    @Test
    void aModelWithoutMlpackMetadataIsRefusedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("foreign");
        Path foreign = REPO.resolve("runtime/src/test/resources/models/tiny_float.tflite"); // written by TF's own converter
        PackageException e = assertThrows(PackageException.class,
                () -> Packager.pack(PackageRequest.builder(foreign, out).serverDist(FakeServerDist.get()).build(), s -> { }));
        assertEquals(PackageException.Kind.BAD_INPUT, e.kind());
        assertEquals(foreign + " carries no mlpack metadata, so how it scales its input pixels is unknown: package the .tflite"
                + " that mlpack optimize writes from the SavedModel", e.getMessage());
        assertTrue(Files.notExists(out), "no half-written artifact");
    }

    @Test
    void aFolderThatIsNotAnArtifactIsNeverReplaced() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        PackageException e = assertThrows(PackageException.class, () -> Packager.pack(request(out).selfCheck(false).build(), s -> { }));
        assertEquals(PackageException.Kind.BAD_INPUT, e.kind());
        assertEquals("keep me", Files.readString(out.resolve("notes.txt")));
    }

    @Test
    void labelsShipBesideTheModelAndReachTheServer() throws Exception {
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "left\nmiddle\nright\n");
        Path out = tmp.resolve("labelled");
        PackageResult r = Packager.pack(request(out).labels(labels).build(), s -> { });
        assertEquals("left\nmiddle\nright\n", Files.readString(out.resolve("labels.txt")));
        assertTrue(r.command().contains(" --labels labels.txt "), r.command());
        assertTrue(Files.readString(out.resolve("Dockerfile")).contains("COPY labels.txt ./\nCOPY model.tflite ./\n"));
        assertTrue(r.selfCheck().passed(), r.selfCheck().failure());
    }
}
