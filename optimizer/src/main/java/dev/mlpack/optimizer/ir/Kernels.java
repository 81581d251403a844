package dev.mlpack.optimizer.ir;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * What the constant folders of many ops share (see {@link OpSpec#folder()}), used to fold constant subgraphs (shape
 * arithmetic, BatchNorm parameter math). Values are computed in double and stored back as the input's type, so
 * integer shape math stays exact.
 */
public final class Kernels {
    private Kernels() {}

    public enum Reduction { SUM, MEAN, MAX, PROD }

    /** A constant of {@code dtype} holding {@code values}. */
    public static Constant make(DType dtype, int[] dims, double[] values) {
        Shape shape = Shape.of(dims);
        if (dtype.isFloating()) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            return Constant.ofFloats(shape, f);
        }
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) l[i] = (long) values[i];
        return Constant.ofLongs(dtype, shape, l);
    }

    public static double[] doubles(Constant c) {
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) out[i] = c.isFloating() ? c.floatAt(i) : c.longAt(i);
        return out;
    }

    public static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Flat index into a tensor of {@code dims} broadcast to {@code outDims}, for the output position {@code index}. */
    private static int broadcastIndex(int[] index, int[] dims, int[] strides, int outRank) {
        int flat = 0, offset = outRank - dims.length;
        for (int i = 0; i < dims.length; i++) flat += (dims[i] == 1 ? 0 : index[i + offset]) * strides[i];
        return flat;
    }

    /** Steps a row-major multi-index; false when it wrapped around. */
    public static boolean increment(int[] index, int[] dims) {
        for (int i = dims.length - 1; i >= 0; i--) {
            if (++index[i] < dims[i]) return true;
            index[i] = 0;
        }
        return false;
    }

    public static <A extends Attrs> OpSpec.Folder<A> binary(DoubleBinaryOperator f) { return binary(null, f); }

    /** An elementwise binary op with broadcasting; {@code outType} null keeps the first input's type. */
    public static <A extends Attrs> OpSpec.Folder<A> binary(DType outType, DoubleBinaryOperator f) {
        return (n, attrs) -> {
            Constant a = n.input(0).data(), b = n.input(1).data();
            int[] ad = a.shape().dims(), bd = b.shape().dims();
            int[] out = ShapeRules.broadcastDims(ad, bd);
            double[] av = doubles(a), bv = doubles(b);
            int[] as = strides(ad), bs = strides(bd);
            double[] result = new double[(int) Shape.of(out).elementCount()];
            int[] index = new int[out.length];
            for (int i = 0; i < result.length; i++) {
                result[i] = f.applyAsDouble(av[broadcastIndex(index, ad, as, out.length)], bv[broadcastIndex(index, bd, bs, out.length)]);
                increment(index, out);
            }
            return make(outType == null ? a.dtype() : outType, out, result);
        };
    }

    public static <A extends Attrs> OpSpec.Folder<A> unary(DoubleUnaryOperator f) {
        return (n, attrs) -> {
            Constant a = n.input(0).data();
            double[] v = doubles(a);
            for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
            return make(a.dtype(), a.shape().dims(), v);
        };
    }

    public static <A extends Attrs> OpSpec.Folder<A> reduce(Reduction kind) {
        return (n, attrs) -> {
            Constant a = n.input(0).data();
            int[] dims = a.shape().dims();
            int[] axes = ShapeRules.normalizedAxes(n.input(1).data().ints(), dims.length);
            boolean[] reduced = new boolean[dims.length];
            for (int ax : axes) reduced[ax] = true;
            int[] keptDims = new int[dims.length];
            for (int i = 0; i < dims.length; i++) keptDims[i] = reduced[i] ? 1 : dims[i];
            int[] ks = strides(keptDims);
            int outSize = (int) Shape.of(keptDims).elementCount();
            double[] acc = new double[outSize];
            double init = switch (kind) { case MAX -> Double.NEGATIVE_INFINITY; case PROD -> 1; default -> 0; };
            java.util.Arrays.fill(acc, init);
            double[] v = doubles(a);
            int[] index = new int[dims.length];
            for (int i = 0; i < v.length; i++) {
                int o = 0;
                for (int d = 0; d < dims.length; d++) if (!reduced[d]) o += index[d] * ks[d];
                acc[o] = switch (kind) {
                    case SUM, MEAN -> acc[o] + v[i];
                    case MAX -> Math.max(acc[o], v[i]);
                    case PROD -> acc[o] * v[i];
                };
                increment(index, dims);
            }
            if (kind == Reduction.MEAN && outSize > 0) {
                double count = (double) v.length / outSize;
                for (int i = 0; i < acc.length; i++) acc[i] /= count;
            }
            return make(a.dtype(), n.output().shape().dims(), acc);
        };
    }

    /** erf via the Chebyshev fit of erfc from Numerical Recipes (fractional error below 1.2e-7, enough for float32). */
    public static double erf(double x) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
