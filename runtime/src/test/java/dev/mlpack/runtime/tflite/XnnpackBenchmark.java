package dev.mlpack.runtime.tflite;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Per-image latency of an int8 model with XNNPACK's int8 path on ({@link XnnpackMode#INT8}), with
 * XNNPACK as bytedeco ships it ({@link XnnpackMode#FLOAT_ONLY}: QS8/QU8 flags cleared) and with
 * no delegate at all.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.mlpack.runtime.tflite.XnnpackBenchmark \
 *     model_int8.tflite [iterations=50] [threads=1]
 * </pre>
 *
 * The model used for the reported numbers was keras MobileNetV2(alpha=0.35, 96x96x3, random
 * weights) converted with the official converter to full-integer int8 (int8 input and output).
 * {@link XnnpackBenchmarkTest} runs this when {@code -Dmlpack.bench.model=PATH} is given.
 */
public final class XnnpackBenchmark {

    /** Median milliseconds per image for one mode, and the first output for a fixed input. */
    public record Result(XnnpackMode mode, int executionPlanSize, double medianMillis, float[] output) {}

    private XnnpackBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        run(model, iterations, threads);
    }

    public static Result[] run(Path modelPath, int iterations, int threads) throws Exception {
        try (TfliteModel model = TfliteModel.load(modelPath)) {
            Result[] results = new Result[XnnpackMode.values().length];
            for (XnnpackMode mode : XnnpackMode.values()) {
                results[mode.ordinal()] = measure(model, mode, iterations, threads);
                Result r = results[mode.ordinal()];
                System.out.printf("%-10s threads=%d plan=%3d nodes  %8.3f ms/image%n",
                        mode, threads, r.executionPlanSize(), r.medianMillis());
            }
            float[] reference = results[XnnpackMode.OFF.ordinal()].output();
            float[] fast = results[XnnpackMode.INT8.ordinal()].output();
            float maxDiff = 0;
            for (int k = 0; k < reference.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(reference[k] - fast[k]));
            }
            System.out.printf("max |output(INT8) - output(OFF)| = %.6f%n", maxDiff);
            double ratio = results[XnnpackMode.FLOAT_ONLY.ordinal()].medianMillis()
                    / results[XnnpackMode.INT8.ordinal()].medianMillis();
            System.out.printf("speed-up of XNNPACK int8 flags over bytedeco's default: %.2fx%n", ratio);
            return results;
        }
    }

    private static Result measure(TfliteModel model, XnnpackMode mode, int iterations, int threads) {
        try (TfliteInterpreter it = model.newInterpreter(new InterpreterOptions(threads, mode, false))) {
            TensorInfo in = it.input(0);
            int n = Math.toIntExact(in.elementCount());
            Random random = new Random(42);
            float[] input = new float[n];
            for (int k = 0; k < n; k++) {
                input[k] = random.nextFloat() * 2 - 1;
            }
            float[] output = null;
            for (int w = 0; w < 5; w++) { // warm-up: first invokes pack weights and fault pages in
                output = it.run(input)[0];
            }
            double[] millis = new double[iterations];
            for (int k = 0; k < iterations; k++) {
                long t0 = System.nanoTime();
                it.run(input);
                millis[k] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(millis);
            return new Result(mode, it.executionPlanSize(), millis[iterations / 2], output);
        }
    }
}
