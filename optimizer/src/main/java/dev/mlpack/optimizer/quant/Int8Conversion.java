package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calibration then quantization of a legalized float graph, in place. */
public final class Int8Conversion {
    private Int8Conversion() {}

    /**
     * The quantized graph and its parameters, the ops left in float, the range method used (the one chosen when
     * {@link CalibrationMethod#AUTO} was asked for) and, for auto, each candidate's output SQNR in dB on the probe images.
     */
    public record Outcome(Graph graph, Map<Value, QuantParams> params, List<String> floatOps, double calibrationSeconds,
                          CalibrationMethod method, Map<CalibrationMethod, Double> candidateSqnrDb) {
        public Outcome {
            candidateSqnrDb = Map.copyOf(candidateSqnrDb);
        }
    }

    /**
     * How much better on the probe images a later candidate must score to be chosen over an earlier one. The probes
     * are calibration images, so the score is a noisy guide to held-out images: on the ImageNet MobileNet, MSE led
     * min/max by 0.1 dB on them and trailed it by 2.6 dB on held-out images. Ties and small leads stay with min/max,
     * which generalized best on the real models we measured (BENCHMARKS.md).
     */
    public static final double AUTO_MARGIN_DB = 0.5;

    public static Outcome run(Graph graph, List<float[]> calibrationInputs, Int8Quantizer.Settings settings, Progress progress) {
        long start = System.nanoTime();
        Calibrator.Observed observed = Calibrator.collect(graph, calibrationInputs, settings.method().needsHistogram(), progress);
        Map<CalibrationMethod, Double> sqnr = new LinkedHashMap<>();
        CalibrationMethod method = settings.method();
        if (method == CalibrationMethod.AUTO) {
            try (Task task = progress.start("Choosing ranges", CalibrationMethod.CANDIDATES.size(), "method")) {
                for (CalibrationMethod candidate : CalibrationMethod.CANDIDATES) {
                    sqnr.put(candidate, probeSqnr(graph, observed, settings.withMethod(candidate)));
                    task.step(1);
                }
            }
            method = CalibrationMethod.CANDIDATES.getFirst();
            for (CalibrationMethod candidate : CalibrationMethod.CANDIDATES) {
                if (sqnr.get(candidate) > sqnr.get(method) + AUTO_MARGIN_DB) method = candidate;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Int8Quantizer.Result r = Int8Quantizer.quantize(graph, observed.stats(), settings.withMethod(method));
        return new Outcome(r.graph(), r.params(), r.floatOps(), seconds, method, sqnr);
    }

    /**
     * Quantizes a copy of {@code graph} with {@code settings} (float input and output, so that the probes' preprocessed
     * inputs go straight in), runs it on the probe images and scores its outputs against the float model's:
     * 10·log10(Σ float² / Σ (float − int8)²).
     */
    private static double probeSqnr(Graph graph, Calibrator.Observed observed, Int8Quantizer.Settings settings) {
        GraphCopy.Copied copy = GraphCopy.copied(graph);
        Map<Value, TensorStats> stats = new IdentityHashMap<>();
        observed.stats().forEach((v, s) -> stats.put(copy.map().getOrDefault(v, v), s));
        Int8Quantizer.Result r = Int8Quantizer.quantize(copy.graph(), stats, settings.withIo(Int8Quantizer.Io.FLOAT32));
        byte[] bytes = TfliteWriter.write(r.graph(), TfliteWriter.Options.builder().quantization(r.params()).build()).bytes();
        double signal = 0, noise = 0;
        try (TfliteModel model = TfliteModel.fromBytes(bytes, "calibration candidate");
             TfliteInterpreter interpreter = model.newInterpreter(
                     InterpreterOptions.defaults().withThreads(Runtime.getRuntime().availableProcessors()))) {
            for (int i = 0; i < observed.probeInputs().size(); i++) {
                interpreter.setInput(0, observed.probeInputs().get(i));
                interpreter.invoke();
                float[] got = interpreter.outputFloats(0), want = observed.probeOutputs().get(i);
                for (int j = 0; j < want.length; j++) {
                    signal += (double) want[j] * want[j];
                    noise += ((double) want[j] - got[j]) * ((double) want[j] - got[j]);
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof ConversionException) throw e;
            throw new ConversionException(ConversionException.Kind.INTERNAL, "scoring a calibration method failed: " + e.getMessage(), e);
        }
        return 10 * Math.log10(Math.max(signal, 1e-30) / Math.max(noise, 1e-30));
    }
}
