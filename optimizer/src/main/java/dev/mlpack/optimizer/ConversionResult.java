package dev.mlpack.optimizer;

import dev.mlpack.optimizer.prune.PruneReport;
import dev.mlpack.optimizer.tf.ImportRepairs;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a conversion wrote: the file, its size (raw and gzip -9), the time it took, the op histogram of the written
 * model, for int8 the calibration that was run and every op left in float, the zeros of every kernel, the
 * preprocessing it used and why, what the import repaired in a graph traced in training mode, and the output read as
 * the classifier (null only in report-formatting tests).
 */
public record ConversionResult(Path output, long bytes, Quantize quantize, double seconds, Map<String, Integer> ops,
                               Calibration calibration, List<String> floatOps, long compressedBytes, PruneReport pruning,
                               PreprocessingChoice preprocessing, ImportRepairs repairs, ClassifierOutput classifier) {
    public ConversionResult {
        ops = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(ops));
        floatOps = List.copyOf(floatOps);
        java.util.Objects.requireNonNull(pruning, "pruning");
        java.util.Objects.requireNonNull(preprocessing, "preprocessing");
        java.util.Objects.requireNonNull(repairs, "repairs");
    }

    /** A result without compression, pruning, preprocessing or repair figures (tests of the report formatting). */
    public ConversionResult(Path output, long bytes, Quantize quantize, double seconds, Map<String, Integer> ops,
                            Calibration calibration, List<String> floatOps) {
        this(output, bytes, quantize, seconds, ops, calibration, floatOps, bytes, PruneReport.EMPTY, PreprocessingChoice.INFER,
                ImportRepairs.NONE, null);
    }

    /** The same result for the file moved to {@code target}. */
    public ConversionResult movedTo(Path target) {
        return new ConversionResult(target, bytes, quantize, seconds, ops, calibration, floatOps, compressedBytes, pruning,
                preprocessing, repairs, classifier);
    }

    /**
     * Null for conversions without calibration. {@code method} is the range method used; when {@code auto} chose it,
     * {@code candidateMeanKl} holds each candidate's mean KL divergence from the float model on calibration images
     * (else it is empty).
     */
    public record Calibration(int samples, String method, double seconds, Map<String, Double> candidateMeanKl) {
        public Calibration {
            candidateMeanKl = Collections.unmodifiableMap(new LinkedHashMap<>(candidateMeanKl));
        }

        public Calibration(int samples, String method, double seconds) { this(samples, method, seconds, Map.of()); }
    }
}
