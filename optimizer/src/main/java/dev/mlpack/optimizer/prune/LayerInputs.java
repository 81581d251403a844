package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each kernel sees on the calibration images: the second moments of its input patches (the im2col rows of a
 * convolution, the input rows of a fully connected layer), with a constant 1 appended for the bias. Their diagonal
 * weighs weight magnitudes by the input's strength; the whole matrix lets {@link Refit} re-solve the kept weights.
 * Collected by running the float model in the TFLite interpreter, as calibration does.
 */
final class LayerInputs {
    /** Input patches per image and kernel: enough for the second moments, cheap for large feature maps. */
    static final int POSITIONS_PER_IMAGE = 256;
    /** Images looked at, at most. */
    static final int IMAGES = 64;
    /** Patch sizes above this get only the diagonal: a full matrix would cost too much memory and time. */
    static final int MAX_FULL = 2304;

    /** Second moments of one kernel's input, over {@code samples} patches; {@code full} is null above MAX_FULL. */
    static final class Moments {
        final int dim; // patch length + 1 (the bias input)
        final double[] diagonal;
        final double[] full; // row-major dim × dim, upper triangle filled during accumulation
        long samples;

        Moments(int patch) {
            dim = patch + 1;
            diagonal = new double[dim];
            full = dim <= MAX_FULL + 1 ? new double[dim * dim] : null;
        }

        void add(float[] x) {
            samples++;
            for (int i = 0; i < dim; i++) {
                double xi = i == dim - 1 ? 1 : x[i];
                diagonal[i] += xi * xi;
                if (full == null || xi == 0) continue;
                int row = i * dim;
                for (int j = i; j < dim; j++) full[row + j] += xi * (j == dim - 1 ? 1 : x[j]);
            }
        }

        void symmetrize() {
            if (full == null) return;
            for (int i = 0; i < dim; i++) for (int j = 0; j < i; j++) full[i * dim + j] = full[j * dim + i];
        }

        /** Root mean square of input {@code j}. */
        double rms(int j) { return samples == 0 ? 1 : Math.sqrt(diagonal[j] / samples); }
    }

    private LayerInputs() {}

    /** The moments of every listed CONV_2D or FULLY_CONNECTED kernel of the optimized float {@code graph}. */
    static Map<Node, Moments> collect(Graph graph, List<Node> kernels, List<float[]> images) {
        GraphCopy.Copied copy = GraphCopy.copied(graph);
        Pipeline.legalizeForWriting(copy.graph());
        Map<Node, Value> inputOf = new IdentityHashMap<>();
        for (Node k : kernels) {
            Node c = copy.map().get(k.output()).producer();
            inputOf.put(k, c.input(0));
        }
        TfliteWriter.Written written = TfliteWriter.write(copy.graph(), TfliteWriter.Options.builder().build());
        Map<Node, Moments> out = new IdentityHashMap<>();
        for (Node k : kernels) out.put(k, new Moments(patchLength(k)));
        int n = Math.min(IMAGES, images.size());
        try (TfliteModel model = TfliteModel.fromBytes(written.bytes(), "pruning statistics model");
             TfliteInterpreter interpreter = model.newInterpreter(
                     InterpreterOptions.forInspection().withThreads(Runtime.getRuntime().availableProcessors()))) {
            for (int i = 0; i < n; i++) {
                interpreter.setInput(0, images.get((int) ((long) i * images.size() / n)));
                interpreter.invoke();
                for (Node k : kernels) {
                    Integer index = written.tensorIndex().get(inputOf.get(k));
                    if (index == null) continue;
                    float[] x = interpreter.readTensorFloats(index);
                    accumulate(k, x, out.get(k), i);
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof ConversionException) throw e;
            throw new ConversionException(ConversionException.Kind.INTERNAL, "pruning statistics run failed: " + e.getMessage(), e);
        }
        for (Moments m : out.values()) m.symmetrize();
        return out;
    }

    static int patchLength(Node k) {
        int[] w = k.input(1).shape().dims();
        int len = 1;
        for (int d = 1; d < w.length; d++) len *= w[d];
        return len;
    }

    /** Adds up to {@link #POSITIONS_PER_IMAGE} patches of one image's input {@code x} to {@code m}. */
    private static void accumulate(Node k, float[] x, Moments m, int image) {
        int patch = m.dim - 1;
        float[] row = new float[patch];
        if (k.op() == Op.FULLY_CONNECTED) {
            int rows = x.length / patch;
            int step = Math.max(1, rows / POSITIONS_PER_IMAGE);
            for (int r = 0; r < rows; r += step) {
                System.arraycopy(x, r * patch, row, 0, patch);
                m.add(row);
            }
            return;
        }
        int[] in = k.input(0).shape().dims(), w = k.input(1).shape().dims(), out = k.output().shape().dims();
        int h = in[1], wd = in[2], c = in[3], kh = w[1], kw = w[2];
        int oh = out[1], ow = out[2];
        int[] s = k.attr("strides", new int[] {1, 1}), d = k.attr("dilations", new int[] {1, 1});
        int padTop = 0, padLeft = 0;
        if ("SAME".equals(k.attr("padding"))) {
            padTop = Math.max((oh - 1) * s[0] + (kh - 1) * d[0] + 1 - h, 0) / 2;
            padLeft = Math.max((ow - 1) * s[1] + (kw - 1) * d[1] + 1 - wd, 0) / 2;
        }
        int positions = oh * ow;
        int step = Math.max(1, positions / POSITIONS_PER_IMAGE);
        for (int p = (image * 7919) % step; p < positions; p += step) {
            int y = p / ow, xo = p % ow;
            for (int a = 0; a < kh; a++) {
                int iy = y * s[0] - padTop + a * d[0];
                for (int b = 0; b < kw; b++) {
                    int ix = xo * s[1] - padLeft + b * d[1];
                    int at = (a * kw + b) * c;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                        java.util.Arrays.fill(row, at, at + c, 0f);
                    } else {
                        System.arraycopy(x, (iy * wd + ix) * c, row, at, c);
                    }
                }
            }
            m.add(row);
        }
    }
}
