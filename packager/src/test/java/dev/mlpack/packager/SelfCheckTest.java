package dev.mlpack.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.packager.testing.FakeServerDist;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-check fails when it should: a web command that dies, and a server that answers wrongly. */
class SelfCheckTest {
    @TempDir Path tmp;

    @Test
    void aServerThatExitsBeforePingFailsWithItsExitCodeAndOutput() {
        Path archive = tmp.resolve("a.tar.gz");
        ReproducibleArchive.write(PackagerTest.TINY.getParent(), List.of(PackagerTest.TINY.getFileName().toString()), archive);
        SelfCheck.Result r = SelfCheck.run(archive, "echo cannot bind; exit 3", PackagerTest.TINY, List.of(), Dyno.BASIC, s -> { });
        assertFalse(r.passed());
        assertNull(r.bootSeconds());
        assertTrue(r.failure().contains("exited with code 3 before answering /ping: cannot bind"), r.failure());
    }

    @Test
    void predictionsThatDisagreeWithTheOfflineModelFail() {
        PackageResult packaged = Packager.pack(PackageRequest.builder(PackagerTest.TINY, tmp.resolve("app")).name("tiny-wrong")
                .selfCheck(false).serverDist(FakeServerDist.get()).build(), s -> { });
        List<Path> images = VerifyImages.list(PackagerTest.IMAGES, 6);
        SelfCheck.Result r = SelfCheck.run(packaged.archive(), "FAKE_SERVER_OFF_BY_ONE=1 " + packaged.command(), PackagerTest.TINY, images,
                Dyno.BASIC, s -> { });
        assertFalse(r.passed());
        assertEquals(6, r.n());
        assertEquals(0.0, r.agreementTop1());
        assertTrue(r.failure().startsWith("/predict disagrees with the offline model on 6 of 6 images"), r.failure());
        assertTrue(r.bootSeconds() > 0 && r.rssMb() > 0);
    }
}
