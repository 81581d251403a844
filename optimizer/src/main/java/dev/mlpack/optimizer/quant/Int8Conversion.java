package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.concurrent.Futures;
import dev.mlpack.optimizer.stats.Metrics;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.optimizer.tflite.MeasurementRun;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Calibration then quantization of a legalized float graph, in place. */
public final class Int8Conversion {
    private Int8Conversion() {}

    /**
     * The quantized graph and its parameters, the ops left in float, the range method used (the one chosen when
     * {@link CalibrationMethod#AUTO} was asked for) and, for auto, each candidate's mean KL divergence from the float
     * model on the probe images.
     */
    public record Outcome(Graph graph, Map<Value, QuantParams> params, List<String> floatOps, double calibrationSeconds,
                          CalibrationMethod method, Map<CalibrationMethod, Double> candidateMeanKl) {
        public Outcome {
            candidateMeanKl = Map.copyOf(candidateMeanKl);
        }
    }

    /**
     * How much lower (as a share) a later candidate's mean KL on the probe images must be for it to be chosen over an
     * earlier one. The probes are calibration images, so small leads do not carry over: on the ImageNet MobileNet the
     * two methods' mean KL on calibration images is within 0.3% while MSE trails by 2.5 dB SQNR on held-out images. Ties and small
     * leads stay with min/max, which generalized best on the real models we measured (BENCHMARKS.md).
     */
    public static final double AUTO_MARGIN = 0.05;

    /**
     * Calibrates and quantizes {@code graph}. With {@link CalibrationMethod#AUTO}, the candidates are compared on the
     * {@code classifier} output's class probabilities (a single sigmoid unit as {@code [1 - p, p]}, logits softmaxed),
     * the scores mlpack evaluate compares.
     */
    public static Outcome run(Graph graph, List<float[]> calibrationInputs, Int8Quantizer.Settings settings, ClassifierOutput classifier,
                              Progress progress) {
        long start = System.nanoTime();
        Calibrator.Observed observed = Calibrator.collect(graph, calibrationInputs, settings.method().needsHistogram(), classifier.name(),
                progress);
        Map<CalibrationMethod, Double> meanKl = new LinkedHashMap<>();
        CalibrationMethod method = settings.method();
        if (method == CalibrationMethod.AUTO) {
            try (Task task = progress.start("Choosing ranges", CalibrationMethod.CANDIDATES.size(), "method")) {
                meanKl.putAll(scoreCandidates(graph, observed, settings, classifier, task));
            }
            method = CalibrationMethod.CANDIDATES.getFirst();
            for (CalibrationMethod candidate : CalibrationMethod.CANDIDATES) {
                if (meanKl.get(candidate) < (1 - AUTO_MARGIN) * meanKl.get(method)) method = candidate;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Int8Quantizer.Result r = Int8Quantizer.quantize(graph, observed.stats(), settings.withMethod(method));
        return new Outcome(r.graph(), r.params(), r.floatOps(), seconds, method, meanKl);
    }

    /**
     * Each of {@link CalibrationMethod#CANDIDATES}' {@link #probeMeanKl}, all candidates at once: quantizing and writing a
     * candidate is single-threaded, so one thread per candidate keeps the cores busy, and each candidate's probe runs
     * take its share of the cores. Each score depends only on its candidate, so the result is the same in any order.
     */
    private static Map<CalibrationMethod, Double> scoreCandidates(Graph graph, Calibrator.Observed observed, Int8Quantizer.Settings settings,
                                                                  ClassifierOutput classifier, Task task) {
        List<CalibrationMethod> candidates = CalibrationMethod.CANDIDATES;
        // Copied here, one after the other: copying sorts the source graph's nodes in place.
        List<GraphCopy.Copied> copies = candidates.stream().map(c -> GraphCopy.copied(graph)).toList();
        int workersEach = Math.max(1, Runtime.getRuntime().availableProcessors() / candidates.size());
        Map<CalibrationMethod, Double> meanKl = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(candidates.size(), Thread.ofPlatform().daemon().name("mlpack-candidate-", 1).factory())) {
            List<Future<Double>> scores = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                GraphCopy.Copied copy = copies.get(i);
                Int8Quantizer.Settings candidate = settings.withMethod(candidates.get(i));
                scores.add(pool.submit(() -> probeMeanKl(copy, observed, candidate, classifier, workersEach)));
            }
            for (int i = 0; i < candidates.size(); i++) {
                meanKl.put(candidates.get(i), Futures.await(scores.get(i), "scoring calibration methods"));
                task.step(1);
            }
        }
        return meanKl;
    }

    /**
     * Quantizes {@code copy} (of the float graph) with {@code settings} (float input and output, so that the probes'
     * preprocessed inputs go straight in), runs it on the probe images on {@code workers} interpreters and returns the
     * mean KL divergence of its class probabilities from the float model's: the measure {@code mlpack evaluate}
     * reports, which, unlike an SQNR over the scores, weighs the uncertain images whose top-1 a small error can flip.
     * The probabilities come from the classifier output as {@link ClassifierOutput#probabilities} makes them: compared
     * raw, a single sigmoid unit would be one value normalised to 1 for both models, and every method would score 0.
     */
    private static double probeMeanKl(GraphCopy.Copied copy, Calibrator.Observed observed, Int8Quantizer.Settings settings,
                                      ClassifierOutput classifier, int workers) {
        Map<Value, TensorStats> stats = new IdentityHashMap<>();
        observed.stats().forEach((v, s) -> stats.put(copy.map().getOrDefault(v, v), s));
        Int8Quantizer.Result r = Int8Quantizer.quantize(copy.graph(), stats, settings.withIo(Int8Quantizer.Io.FLOAT32));
        byte[] bytes = TfliteWriter.write(r.graph(), TfliteWriter.Options.builder().quantization(r.params()).build()).bytes();
        List<float[]> inputs = observed.probeInputs(), outputs = observed.probeOutputs();
        if (inputs.isEmpty()) return 0;
        double[] sum = {0};
        // Summed in probe order, so the score does not depend on the number of workers.
        MeasurementRun.forEachInput(bytes, InterpreterOptions.defaults(), "scoring a calibration method", inputs.size(),
                workers, (interpreter, i) -> {
                    interpreter.setInput(0, inputs.get(i));
                    interpreter.invoke();
                    return Metrics.klDivergence(classifier.probabilities(outputs.get(i)),
                            classifier.probabilities(interpreter.outputFloats(classifier.index())));
                }, (i, kl) -> sum[0] += kl);
        return sum[0] / inputs.size();
    }
}
