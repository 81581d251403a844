import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TensorInfo;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Per-image latency of a .tflite model in mlpack's Java runtime, set up as mlpack serves it:
 * {@code TfliteModel.load} + {@code newInterpreter(InterpreterOptions.defaults())} (1 thread, XNNPACK
 * with int8). One timed run = set the input + invoke + read the output as floats, on a fixed
 * pseudo-random input (seed 0). Prints "median_ms p10_ms p90_ms xnnpack_applied execution_plan_size
 * invoke_only_median_ms".
 *
 * <pre>Latency MODEL.tflite RUNS WARMUP</pre>
 */
public final class Latency {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        try (TfliteModel m = TfliteModel.load(model);
             TfliteInterpreter it = m.newInterpreter(InterpreterOptions.defaults())) {
            TensorInfo in = it.input(0);
            int n = (int) in.elementCount();
            Random rnd = new Random(0);
            byte[] bytes = null;
            float[] floats = null;
            if (in.dataType() == DataType.UINT8 || in.dataType() == DataType.INT8) {
                bytes = new byte[n];
                rnd.nextBytes(bytes);
            } else {
                floats = new float[n];
                for (int i = 0; i < n; i++) {
                    floats[i] = rnd.nextFloat() * 2f - 1f;
                }
            }
            long[] t = new long[runs];
            long[] inv = new long[runs];
            float sink = 0;
            for (int r = -warmup; r < runs; r++) {
                long t0 = System.nanoTime();
                if (bytes != null) {
                    it.setInput(0, bytes);
                } else {
                    it.setInput(0, floats);
                }
                long ti = System.nanoTime();
                it.invoke();
                long te = System.nanoTime();
                sink += it.outputFloats(0)[0];
                long t1 = System.nanoTime();
                if (r >= 0) {
                    t[r] = t1 - t0;
                    inv[r] = te - ti;
                }
            }
            Arrays.sort(t);
            Arrays.sort(inv);
            System.out.printf(java.util.Locale.ROOT, "%.3f %.3f %.3f %s %d %.3f%n", t[runs / 2] / 1e6, t[runs / 10] / 1e6,
                    t[runs * 9 / 10] / 1e6, it.isXnnpackApplied(), it.executionPlanSize(), inv[runs / 2] / 1e6);
            if (Float.isNaN(sink)) {
                System.err.println("NaN output");
            }
        }
    }
}
