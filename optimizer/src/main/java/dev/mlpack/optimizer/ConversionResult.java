package dev.mlpack.optimizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a conversion wrote: the file, its size, the time it took, the op histogram of the written model, and for
 * int8 the calibration that was run and every op left in float.
 */
public record ConversionResult(Path output, long bytes, Quantize quantize, double seconds, Map<String, Integer> ops,
                               Calibration calibration, List<String> floatOps) {
    public ConversionResult {
        ops = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(ops));
        floatOps = List.copyOf(floatOps);
    }

    /** Null for conversions without calibration. */
    public record Calibration(int samples, String method, double seconds) {}
}
