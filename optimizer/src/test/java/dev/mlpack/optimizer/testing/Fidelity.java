package dev.mlpack.optimizer.testing;

import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** Runs a .tflite on a batch, one image at a time, and compares it with reference outputs. */
public final class Fidelity {
    private Fidelity() {}

    /** Outputs for {@code batch} images packed in {@code inputs}, concatenated. */
    public static float[] runTflite(Path tflite, float[] inputs, int batch) throws IOException {
        try (TfliteModel model = TfliteModel.load(tflite); TfliteInterpreter it = model.newInterpreter(InterpreterOptions.defaults())) {
            int per = inputs.length / batch;
            float[] out = null;
            for (int i = 0; i < batch; i++) {
                it.setInput(0, Arrays.copyOfRange(inputs, i * per, (i + 1) * per));
                it.invoke();
                float[] o = it.outputFloats(0);
                if (out == null) out = new float[o.length * batch];
                System.arraycopy(o, 0, out, i * o.length, o.length);
            }
            return out;
        }
    }

    /** max|a−b| / max|b|: the error relative to the reference's scale, as the acceptance criterion states it. */
    public static double relativeMaxError(float[] actual, float[] reference) {
        if (actual.length != reference.length) throw new AssertionError("output sizes differ: " + actual.length + " vs " + reference.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - reference[i]));
            maxRef = Math.max(maxRef, Math.abs(reference[i]));
        }
        return maxDiff / maxRef;
    }

    /** Signal-to-quantization-noise ratio in dB: 10·log10(Σ reference² / Σ (actual − reference)²). */
    public static double sqnrDb(float[] actual, float[] reference) {
        double signal = 0, noise = 0;
        for (int i = 0; i < actual.length; i++) {
            signal += (double) reference[i] * reference[i];
            double d = actual[i] - reference[i];
            noise += d * d;
        }
        return 10 * Math.log10(signal / Math.max(noise, 1e-30));
    }

    /** Index of the largest score of each row. */
    public static int[] top1(float[] scores, int batch) {
        int classes = scores.length / batch;
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            int best = 0;
            for (int c = 1; c < classes; c++) if (scores[b * classes + c] > scores[b * classes + best]) best = c;
            out[b] = best;
        }
        return out;
    }
}
