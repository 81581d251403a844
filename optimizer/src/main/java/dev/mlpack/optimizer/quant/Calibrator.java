package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.optimizer.tflite.MeasurementRun;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the float model in the TFLite interpreter over the calibration images and records every float activation.
 *
 * <p>The model it runs is the float graph with every activation also made a model output: TFLite never reuses an
 * output's buffer, and XNNPACK writes every output of its partitions, so one invoke per image exposes them all while
 * XNNPACK runs the model (about 5x faster than TFLite's own kernels, which reading intermediate tensors otherwise
 * requires). Images are measured on all cores, one interpreter each, and merged in image order.
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

    /**
     * How many bytes of activations the interpreters may hold at once. Each interpreter keeps every activation of an
     * image (20 MB for a MobileNet at 224, but gigabytes for a large model at a large input size), so on many cores
     * a large model gets fewer interpreters than cores rather than exhausting native memory.
     */
    static final long ACTIVATION_BUDGET_BYTES = 2L << 30;

    /** Measures on all cores, as many interpreters as {@link #ACTIVATION_BUDGET_BYTES} allows (at least one). */
    static Observed collect(Graph floatGraph, List<float[]> inputs, boolean histograms, String classifierOutput, Progress progress) {
        return collect(floatGraph, inputs, histograms, classifierOutput, workers(floatGraph, Runtime.getRuntime().availableProcessors()),
                progress);
    }

    /** One interpreter per core, within {@link #ACTIVATION_BUDGET_BYTES}. */
    static int workers(Graph floatGraph, int cores) {
        long bytes = 0;
        for (Node n : floatGraph.nodes()) for (Value v : n.outputs()) bytes += Math.abs(v.shape().elementCount()) * Float.BYTES;
        return (int) Math.max(1, Math.min(cores, ACTIVATION_BUDGET_BYTES / Math.max(1, bytes)));
    }

    /** Measures on {@code workers} interpreters at once; the result does not depend on how many. */
    static Observed collect(Graph floatGraph, List<float[]> inputs, boolean histograms, String classifierOutput, int workers,
                            Progress progress) {
        ObservableModel model = ObservableModel.of(floatGraph);
        Map<Value, TensorStats> stats = new IdentityHashMap<>();
        for (Value v : model.tracked()) stats.put(v, new TensorStats());
        Value output = floatGraph.outputs().get(classifierOutput);
        List<float[]> probeInputs = new ArrayList<>(), probeOutputs = new ArrayList<>();
        List<float[]> histogramInputs = histograms ? spread(inputs, Math.min(inputs.size(), HISTOGRAM_IMAGES)) : List.of();

        try (Task task = progress.start("Calibrating", inputs.size() + histogramInputs.size(), "img")) {
            List<Value> tracked = model.tracked();
            int[] channels = tracked.stream().mapToInt(Calibrator::channels).toArray();
            MeasurementRun.forEachInput(model.bytes(), InterpreterOptions.defaults(), "calibration run", inputs.size(), workers,
                    (interpreter, i) -> {
                        model.run(interpreter, inputs.get(i));
                        TensorStats.RangeSample[] samples = new TensorStats.RangeSample[tracked.size()];
                        for (int k = 0; k < samples.length; k++) {
                            samples[k] = TensorStats.RangeSample.of(model.view(interpreter, tracked.get(k)), channels[k]);
                        }
                        return samples;
                    },
                    (i, samples) -> {
                        for (int k = 0; k < samples.length; k++) stats.get(tracked.get(k)).add(samples[k]);
                        task.step(1);
                    });
            if (histograms) {
                // The bins span each tensor's extremes over all images, known only now: a second run, on fewer images.
                float[] lo = new float[tracked.size()], hi = new float[tracked.size()];
                for (int k = 0; k < lo.length; k++) {
                    lo[k] = stats.get(tracked.get(k)).min;
                    hi[k] = stats.get(tracked.get(k)).max;
                }
                MeasurementRun.forEachInput(model.bytes(), InterpreterOptions.defaults(), "calibration run", histogramInputs.size(),
                        workers, (interpreter, i) -> {
                            model.run(interpreter, histogramInputs.get(i));
                            long[][] counts = new long[tracked.size()][];
                            for (int k = 0; k < counts.length; k++) {
                                counts[k] = TensorStats.histogramOf(model.view(interpreter, tracked.get(k)), lo[k], hi[k]);
                            }
                            return new HistogramSample(counts, interpreter.readTensorFloats(model.tensorIndex(output)));
                        },
                        (i, sample) -> {
                            for (int k = 0; k < tracked.size(); k++) stats.get(tracked.get(k)).addHistogram(sample.counts()[k]);
                            probeInputs.add(histogramInputs.get(i));
                            probeOutputs.add(sample.classifierOutput());
                            task.step(1);
                        });
            }
        }
        return new Observed(stats, probeInputs, probeOutputs);
    }

    /** One image of the histogram pass: each tracked tensor's counts, and the classifier's output. */
    private record HistogramSample(long[][] counts, float[] classifierOutput) {}

    /** The channels of a tensor: its last dimension (1 for a scalar). */
    private static int channels(Value v) {
        return Math.max(1, v.shape().rank() == 0 ? 1 : v.shape().dim(-1));
    }

    /** {@code n} inputs spread evenly over the list (the list is stratified over classes, so is this). */
    private static List<float[]> spread(List<float[]> inputs, int n) {
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(inputs.get((int) ((long) i * inputs.size() / n)));
        return out;
    }

    /**
     * The float graph written with every tracked tensor (the float graph inputs and node outputs) also a model output,
     * and where each one is in the written model.
     */
    record ObservableModel(byte[] bytes, List<Value> tracked, Map<Value, Integer> tensorIndex) {
        static ObservableModel of(Graph floatGraph) {
            List<Value> tracked = new ArrayList<>();
            for (Value v : floatGraph.inputs().values()) if (v.dtype() == DType.FLOAT32) tracked.add(v);
            for (Node n : floatGraph.nodes()) for (Value v : n.outputs()) if (v.dtype() == DType.FLOAT32) tracked.add(v);
            GraphCopy.Copied copy = GraphCopy.copied(floatGraph);
            Graph observable = copy.graph();
            int k = 0;
            for (Value v : tracked) {
                Value c = copy.map().get(v);
                if (observable.inputs().containsValue(c) || observable.isGraphOutput(c)) continue;
                String name;
                do name = "calibration_" + k++; while (observable.outputs().containsKey(name));
                observable.setOutput(name, c);
            }
            TfliteWriter.Written written = TfliteWriter.write(observable, TfliteWriter.Options.builder().build());
            Map<Value, Integer> index = new IdentityHashMap<>();
            for (Value v : tracked) index.put(v, written.tensorIndex().get(copy.map().get(v)));
            for (Value v : floatGraph.outputs().values()) index.put(v, written.tensorIndex().get(copy.map().getOrDefault(v, v)));
            return new ObservableModel(written.bytes(), List.copyOf(tracked), java.util.Collections.unmodifiableMap(index));
        }

        int tensorIndex(Value v) {
            return tensorIndex.get(v);
        }

        void run(TfliteInterpreter interpreter, float[] input) {
            interpreter.setInput(0, input);
            interpreter.invoke();
        }

        MemorySegment view(TfliteInterpreter interpreter, Value v) {
            return interpreter.floatTensorView(tensorIndex(v));
        }
    }
}
