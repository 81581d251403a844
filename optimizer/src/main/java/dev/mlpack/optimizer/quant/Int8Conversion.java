package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.progress.Progress;
import java.util.List;
import java.util.Map;

/** Calibration then quantization of a legalized float graph, in place. */
public final class Int8Conversion {
    private Int8Conversion() {}

    public record Outcome(Graph graph, Map<Value, dev.mlpack.optimizer.ir.QuantParams> params, List<String> floatOps,
                          double calibrationSeconds) {}

    public static Outcome run(Graph graph, List<float[]> calibrationInputs, Int8Quantizer.Settings settings, Progress progress) {
        long start = System.nanoTime();
        Map<Value, TensorStats> stats = Calibrator.collect(graph, calibrationInputs, settings.method().needsHistogram(), progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        Int8Quantizer.Result r = Int8Quantizer.quantize(graph, stats, settings);
        return new Outcome(r.graph(), r.params(), r.floatOps(), seconds);
    }
}
