package dev.mlpack.runtime.tflite;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Opt-in benchmark: {@code mvn -pl runtime test -Dtest=XnnpackBenchmarkTest
 * -Dmlpack.bench.model=/path/model_int8.tflite}. Skipped otherwise, since the unit tests must not
 * depend on a multi-megabyte model or on timing.
 */
class XnnpackBenchmarkTest {

    @Test
    void int8FlagsMakeXnnpackFasterThanTheDefault() throws Exception {
        String model = System.getProperty("mlpack.bench.model");
        assumeTrue(model != null && !model.isBlank(), "set -Dmlpack.bench.model to run");
        XnnpackBenchmark.Result[] r = XnnpackBenchmark.run(Path.of(model), 30, 1);
        double withFlags = r[XnnpackMode.INT8.ordinal()].medianMillis();
        double without = r[XnnpackMode.FLOAT_ONLY.ordinal()].medianMillis();
        assertTrue(withFlags < without, "int8 XNNPACK " + withFlags + " ms vs default " + without + " ms");
    }
}
