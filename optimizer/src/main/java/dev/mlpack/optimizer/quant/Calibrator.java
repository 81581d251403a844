package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.optimizer.tflite.MeasurementRun;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the float model in the TFLite interpreter over the calibration images and records every float activation.
 * The interpreter keeps all intermediate tensors (inspection mode), so one invoke per image exposes them all.
 */
final class Calibrator {
    private Calibrator() {}

    /**
     * The histogram pass (for percentile and MSE ranges) looks at this many images at most: the extremes come from
     * every image in the first pass, and the shape between them settles with far fewer, so the second pass costs a
     * third of the first for 200 images instead of doubling the calibration time.
     */
    static final int HISTOGRAM_IMAGES = 64;

    /**
     * What calibration saw: the statistics of every float tensor and, when it made a histogram pass, that pass's
     * inputs with the float model's classifier output for them (the probes that {@link CalibrationMethod#AUTO} scores on).
     */
    record Observed(Map<Value, TensorStats> stats, List<float[]> probeInputs, List<float[]> probeOutputs) {}

    static Observed collect(Graph floatGraph, List<float[]> inputs, boolean histograms, String classifierOutput, Progress progress) {
        TfliteWriter.Written written = TfliteWriter.write(floatGraph, TfliteWriter.Options.builder().build());
        List<Value> tracked = new ArrayList<>();
        for (Value v : floatGraph.inputs().values()) if (v.dtype() == DType.FLOAT32) tracked.add(v);
        for (Node n : floatGraph.nodes()) for (Value v : n.outputs()) if (v.dtype() == DType.FLOAT32) tracked.add(v);
        Map<Value, TensorStats> stats = new IdentityHashMap<>();
        for (Value v : tracked) stats.put(v, new TensorStats());
        Value output = floatGraph.outputs().get(classifierOutput);
        List<float[]> probeInputs = new ArrayList<>(), probeOutputs = new ArrayList<>();

        MeasurementRun.run(written.bytes(), InterpreterOptions.forInspection(), "calibration run", interpreter -> {
            int passes = histograms ? 2 : 1;
            int histogramImages = Math.min(inputs.size(), HISTOGRAM_IMAGES);
            long total = inputs.size() + (histograms ? histogramImages : 0);
            try (Task task = progress.start("Calibrating", total, "img")) {
                for (int pass = 0; pass < passes; pass++) {
                    List<float[]> images = pass == 0 ? inputs : spread(inputs, histogramImages);
                    for (float[] input : images) {
                        interpreter.setInput(0, input);
                        interpreter.invoke();
                        for (Value v : tracked) {
                            float[] values = interpreter.readTensorFloats(written.tensorIndex().get(v));
                            TensorStats s = stats.get(v);
                            if (pass == 0) s.observeRange(values, Math.max(1, v.shape().rank() == 0 ? 1 : v.shape().dim(-1)));
                            else s.observeHistogram(values);
                            if (pass == 1 && v == output) {
                                probeInputs.add(input);
                                probeOutputs.add(values);
                            }
                        }
                        task.step(1);
                    }
                }
            }
            return null;
        });
        return new Observed(stats, probeInputs, probeOutputs);
    }

    /** {@code n} inputs spread evenly over the list (the list is stratified over classes, so is this). */
    private static List<float[]> spread(List<float[]> inputs, int n) {
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(inputs.get((int) ((long) i * inputs.size() / n)));
        return out;
    }
}
