package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Padding;
import dev.mlpack.optimizer.ir.WindowAttrs;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ir.Window;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.tflite.MeasurementRun;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kernels see on the calibration images: sampled input patches (im2col rows of a convolution, input rows of a
 * fully connected layer), each with a constant 1 appended for the bias. Collected by running the float graph in the
 * TFLite interpreter, as calibration does. The same image and position choices are made on every run, so patches
 * of the dense and of a partly pruned model line up row for row.
 */
final class LayerInputs {
    /** Input patches per image and kernel: enough for the second moments, cheap for large feature maps. */
    static final int POSITIONS_PER_IMAGE = 128;
    /** Images looked at, at most. */
    static final int IMAGES = 48;
    /** Patch lengths above this are not refit (the second-moment matrix would cost too much). */
    static final int MAX_REFIT = 2304;

    private LayerInputs() {}

    /** Patch rows (length = patch + 1) of each of {@code kernels}' inputs in {@code graph}, an optimized float graph. */
    static Map<Node, List<float[]>> patches(Graph graph, List<Node> kernels, List<float[]> images) {
        GraphCopy.Copied copy = GraphCopy.copied(graph);
        Pipeline.legalizeForWriting(copy.graph());
        Map<Node, Value> inputOf = new IdentityHashMap<>();
        for (Node k : kernels) inputOf.put(k, copy.map().get(k.output()).producer().input(0));
        TfliteWriter.Written written = TfliteWriter.write(copy.graph(), TfliteWriter.Options.builder().build());
        Map<Node, List<float[]>> out = new IdentityHashMap<>();
        for (Node k : kernels) out.put(k, new ArrayList<>());
        int n = Math.min(IMAGES, images.size());
        MeasurementRun.run(written.bytes(), InterpreterOptions.forInspection(), "pruning statistics run", interpreter -> {
            for (int i = 0; i < n; i++) {
                interpreter.setInput(0, images.get((int) ((long) i * images.size() / n)));
                interpreter.invoke();
                for (Node k : kernels) {
                    Integer index = written.tensorIndex().get(inputOf.get(k));
                    if (index != null) sample(k, interpreter.readTensorFloats(index), out.get(k), i);
                }
            }
            return null;
        });
        return out;
    }

    static int patchLength(Node k) {
        int[] w = k.input(1).shape().dims();
        int len = 1;
        for (int d = 1; d < w.length; d++) len *= w[d];
        return len;
    }

    /** Root mean square of each patch position over {@code rows}. */
    static double[] rms(List<float[]> rows, int patch) {
        double[] s = new double[patch];
        for (float[] r : rows) for (int j = 0; j < patch; j++) s[j] += (double) r[j] * r[j];
        for (int j = 0; j < patch; j++) s[j] = rows.isEmpty() ? 1 : Math.sqrt(s[j] / rows.size());
        return s;
    }

    /** Σ aᵀb over matching rows, row-major dim × dim (a's index first). */
    static double[] cross(List<float[]> a, List<float[]> b) {
        int dim = a.getFirst().length;
        double[] m = new double[dim * dim];
        for (int r = 0; r < a.size(); r++) {
            float[] x = a.get(r), y = b.get(r);
            for (int i = 0; i < dim; i++) {
                double xi = x[i];
                if (xi == 0) continue;
                int row = i * dim;
                for (int j = 0; j < dim; j++) m[row + j] += xi * y[j];
            }
        }
        return m;
    }

    /** Adds up to {@link #POSITIONS_PER_IMAGE} patches of one image's input {@code x} to {@code rows}. */
    private static void sample(Node k, float[] x, List<float[]> rows, int image) {
        int patch = patchLength(k);
        if (!(k.attrs() instanceof WindowAttrs window)) { // fully connected: every row of the input is a patch
            int count = x.length / patch;
            int step = Math.max(1, count / POSITIONS_PER_IMAGE);
            for (int r = 0; r < count; r += step) {
                float[] row = new float[patch + 1];
                System.arraycopy(x, r * patch, row, 0, patch);
                row[patch] = 1;
                rows.add(row);
            }
            return;
        }
        int[] in = k.input(0).shape().dims(), w = k.input(1).shape().dims(), out = k.output().shape().dims();
        int h = in[1], wd = in[2], c = in[3], kh = w[1], kw = w[2];
        int oh = out[1], ow = out[2];
        int[] s = window.strides(), d = window.dilations();
        Padding padding = window.padding();
        int padTop = Window.paddingBefore(h, kh, s[0], d[0], padding), padLeft = Window.paddingBefore(wd, kw, s[1], d[1], padding);
        int positions = oh * ow;
        int step = Math.max(1, positions / POSITIONS_PER_IMAGE);
        for (int p = (image * 7919) % step; p < positions; p += step) {
            float[] row = new float[patch + 1];
            row[patch] = 1;
            int y = p / ow, xo = p % ow;
            for (int a = 0; a < kh; a++) {
                int iy = y * s[0] - padTop + a * d[0];
                for (int b = 0; b < kw; b++) {
                    int ix = xo * s[1] - padLeft + b * d[1];
                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) System.arraycopy(x, (iy * wd + ix) * c, row, (a * kw + b) * c, c);
                }
            }
            rows.add(row);
        }
    }
}
