package dev.mlpack.optimizer.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without Python the fixture tests are skipped on a developer's machine, and fail the build under CI=true. */
class FixtureSetTest {
    @Test
    void withoutCiAMissingPythonSkipsTheTest() {
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> FixtureSet.unavailable("no python3", "", false));
        assertTrue(e.getMessage().contains("no python3"), e.getMessage());
    }

    @Test
    void underCiAMissingPythonFailsTheBuildSayingWhy() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> FixtureSet.unavailable("no python3", "ensure-venv: no python3 found", true));
        String first = e.getMessage().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("CI=true") && first.contains("fixtures are required") && first.contains("no python3"), first);
    }
}
