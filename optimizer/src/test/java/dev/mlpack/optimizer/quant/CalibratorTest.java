package dev.mlpack.optimizer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calibration on the bundled sample: the fast path (every activation a model output, XNNPACK, images on several
 * interpreters) sees what TFLite's reference kernels show when every intermediate tensor is preserved, and what it
 * records does not depend on how many interpreters measured the images.
 */
class CalibratorTest {
    static final int IMAGES = 24;
    static Graph graph;
    static List<float[]> inputs;
    static String classifier;

    @BeforeAll
    static void importSample() {
        graph = Converter.importGraph(Samples.model(), "serving_default").graph();
        Pipeline.optimize(graph);
        Pipeline.legalizeForWriting(graph);
        CalibrationSet set = CalibrationSet.load(Samples.root().resolve("images"), IMAGES,
                new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.TF), Progress.none());
        inputs = IntStream.range(0, set.size()).mapToObj(set::input).toList();
        classifier = graph.outputs().keySet().iterator().next();
    }

    /** Each float activation's extremes and channel means, read the slow way: one interpreter, every tensor preserved. */
    private static Map<Value, TensorStats> referenceStats() {
        TfliteWriter.Written written = TfliteWriter.write(graph, TfliteWriter.Options.builder().build());
        List<Value> tracked = new ArrayList<>(graph.inputs().values());
        for (Node n : graph.nodes()) for (Value v : n.outputs()) if (v.dtype() == DType.FLOAT32) tracked.add(v);
        Map<Value, TensorStats> stats = new IdentityHashMap<>();
        try (TfliteModel model = TfliteModel.fromBytes(written.bytes(), "reference");
             TfliteInterpreter interpreter = model.newInterpreter(InterpreterOptions.forInspection())) {
            for (float[] input : inputs) {
                interpreter.setInput(0, input);
                interpreter.invoke();
                for (Value v : tracked) {
                    float[] values = interpreter.readTensorFloats(written.tensorIndex().get(v));
                    int channels = v.shape().rank() == 0 ? 1 : v.shape().dim(-1);
                    stats.computeIfAbsent(v, k -> new TensorStats())
                            .add(TensorStats.RangeSample.of(MemorySegment.ofArray(values), channels));
                }
            }
        }
        return stats;
    }

    @Test
    void theFastPathSeesWhatTheReferenceKernelsSeeToFloatRounding() {
        Map<Value, TensorStats> reference = referenceStats();
        Calibrator.Observed fast = Calibrator.collect(graph, inputs, false, classifier, 2, Progress.none());
        assertEquals(reference.keySet(), fast.stats().keySet(), "every float activation is measured");
        for (Value v : reference.keySet()) {
            TensorStats want = reference.get(v), got = fast.stats().get(v);
            double tolerance = 1e-5 * Math.max(1, Math.max(Math.abs(want.min), Math.abs(want.max)));
            assertEquals(want.min, got.min, tolerance, v.name() + " min");
            assertEquals(want.max, got.max, tolerance, v.name() + " max");
            assertEquals(want.channelCount, got.channelCount, v.name());
            assertArrayEquals(want.channelMeans(), got.channelMeans(), tolerance, v.name() + " channel means");
        }
    }

    @Test
    void whatCalibrationRecordsDoesNotDependOnTheNumberOfInterpreters() {
        Calibrator.Observed one = Calibrator.collect(graph, inputs, true, classifier, 1, Progress.none());
        Calibrator.Observed three = Calibrator.collect(graph, inputs, true, classifier, 3, Progress.none());
        for (Map.Entry<Value, TensorStats> e : one.stats().entrySet()) {
            TensorStats a = e.getValue(), b = three.stats().get(e.getKey());
            String name = e.getKey().name();
            assertEquals(a.min, b.min, name);
            assertEquals(a.max, b.max, name);
            assertArrayEquals(a.channelSums, b.channelSums, name + ": sums added in image order");
            assertArrayEquals(a.histogram, b.histogram, name);
        }
        assertEquals(one.probeInputs(), three.probeInputs());
        for (int i = 0; i < one.probeOutputs().size(); i++) assertArrayEquals(one.probeOutputs().get(i), three.probeOutputs().get(i));
    }

    @Test
    void interpretersAreOnePerCoreWithinTwoGibOfActivationsAndAtLeastOne() {
        assertEquals(8, Calibrator.workers(graph, 8), "the sample's activations are a few hundred KB");
        assertEquals(2, Calibrator.workers(graph, 2), "never more interpreters than cores");
        // chains of softmaxes whose outputs are the activations an interpreter keeps (the input is not counted)
        assertEquals(4, Calibrator.workers(softmaxChain(2, 64 << 20), 8), "2 x 256 MiB per interpreter: 4 fit in 2 GiB");
        assertEquals(2, Calibrator.workers(softmaxChain(2, 64 << 20), 2), "4 fit, but there are 2 cores");
        assertEquals(1, Calibrator.workers(softmaxChain(2, 256 << 20), 8), "2 x 1 GiB: one at a time");
        assertEquals(1, Calibrator.workers(softmaxChain(3, 256 << 20), 8), "3 GiB, more than the budget: still one");
    }

    /** {@code n} softmaxes in a row over {@code [1, floats / 16, 16]}: n activations of {@code 4 * floats} bytes. */
    private static Graph softmaxChain(int n, int floats) {
        Graph g = new Graph();
        Value v = g.addInput("x", DType.FLOAT32, Shape.of(1, floats / 16, 16));
        for (int i = 0; i < n; i++) {
            v = g.add(Activations.SOFTMAX, List.of(v), new Activations.SoftmaxAttrs(1f), "softmax_" + i, "head").output();
        }
        return g;
    }

    @Test
    void theHistogramPassCountsEveryValueOfItsImagesAndKeepsTheFloatOutputsAsProbes() {
        Calibrator.Observed observed = Calibrator.collect(graph, inputs, true, classifier, 2, Progress.none());
        int images = Math.min(IMAGES, Calibrator.HISTOGRAM_IMAGES);
        for (Map.Entry<Value, TensorStats> e : observed.stats().entrySet()) {
            long counted = Arrays.stream(e.getValue().histogram).sum();
            assertEquals(images * e.getKey().shape().elementCount(), counted, e.getKey().name());
        }
        assertEquals(images, observed.probeInputs().size());
        float[] first = observed.probeOutputs().getFirst();
        assertEquals(1.0, IntStream.range(0, first.length).mapToDouble(i -> first[i]).sum(), 1e-4, "the softmax scores");
        assertTrue(observed.probeInputs().stream().allMatch(p -> inputs.stream().anyMatch(in -> in == p)), "probes are calibration images");
    }
}
