package dev.mlpack.optimizer;

import java.nio.file.Path;
import java.util.Map;

/** What a conversion wrote: the file, its size, the time it took and the op histogram of the written model. */
public record ConversionResult(Path output, long bytes, Quantize quantize, double seconds, Map<String, Integer> ops) {
    public ConversionResult {
        ops = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(ops));
    }
}
