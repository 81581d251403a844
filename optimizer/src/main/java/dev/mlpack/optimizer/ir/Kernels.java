package dev.mlpack.optimizer.ir;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Reference implementations used to fold constant subgraphs (shape arithmetic, BatchNorm parameter math).
 * Values are computed in double and stored back as the input's type, so integer shape math stays exact.
 */
final class Kernels {
    private Kernels() {}

    @FunctionalInterface
    interface Evaluator {
        Constant evaluate(Node node);
    }

    enum Reduction { SUM, MEAN, MAX, PROD }

    private static Constant make(DType dtype, int[] dims, double[] values) {
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

    private static double[] doubles(Constant c) {
        double[] out = new double[c.size()];
        for (int i = 0; i < out.length; i++) out[i] = c.isFloating() ? c.floatAt(i) : c.longAt(i);
        return out;
    }

    static int[] strides(int[] dims) {
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

    private static boolean increment(int[] index, int[] dims) {
        for (int i = dims.length - 1; i >= 0; i--) {
            if (++index[i] < dims[i]) return true;
            index[i] = 0;
        }
        return false;
    }

    static Evaluator binary(DoubleBinaryOperator f) { return binary(null, f); }

    /** An elementwise binary op with broadcasting; {@code outType} null keeps the first input's type. */
    static Evaluator binary(DType outType, DoubleBinaryOperator f) {
        return n -> {
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

    static Evaluator unary(DoubleUnaryOperator f) {
        return n -> {
            Constant a = n.input(0).data();
            double[] v = doubles(a);
            for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
            return make(a.dtype(), a.shape().dims(), v);
        };
    }

    static Evaluator reduce(Reduction kind) {
        return n -> {
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

    static Constant concat(Node n) {
        int[] out = n.output().shape().dims();
        int axis = n.<Integer>attr("axis");
        if (axis < 0) axis += out.length;
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= out[i];
        for (int i = axis + 1; i < out.length; i++) inner *= out[i];
        double[] result = new double[(int) Shape.of(out).elementCount()];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Value in : n.inputs()) {
                double[] v = doubles(in.data());
                int chunk = in.shape().dim(axis) * inner;
                System.arraycopy(v, o * chunk, result, pos, chunk);
                pos += chunk;
            }
        }
        return make(n.input(0).dtype(), out, result);
    }

    static Constant reshape(Node n) { return n.input(0).data().reshaped(n.output().shape()); }

    /** Reverses the input along each axis listed in input 1. */
    static Constant reverse(Node n) {
        Constant a = n.input(0).data();
        int[] dims = a.shape().dims(), st = strides(dims);
        boolean[] flip = new boolean[dims.length];
        for (int axis : n.input(1).data().ints()) flip[axis < 0 ? axis + dims.length : axis] = true;
        double[] v = doubles(a), result = new double[v.length];
        int[] index = new int[dims.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < dims.length; d++) src += (flip[d] ? dims[d] - 1 - index[d] : index[d]) * st[d];
            result[i] = v[src];
            increment(index, dims);
        }
        return make(a.dtype(), dims, result);
    }

    static Constant transpose(Node n) { return ConstantMath.transpose(n.input(0).data(), n.input(1).data().ints()); }

    static Constant stridedSlice(Node n) {
        Constant a = n.input(0).data();
        StridedSlicePlan plan = StridedSlicePlan.of(n);
        int[] dims = a.shape().dims(), inStrides = strides(dims);
        double[] v = doubles(a);
        double[] result = new double[(int) Shape.of(plan.count()).elementCount()];
        int[] index = new int[dims.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < dims.length; d++) src += (plan.start()[d] + index[d] * plan.stride()[d]) * inStrides[d];
            result[i] = v[src];
            increment(index, plan.count());
        }
        return make(a.dtype(), plan.outputDims(), result);
    }

    static Constant slice(Node n) {
        Constant a = n.input(0).data();
        int[] dims = a.shape().dims(), begin = n.input(1).data().ints(), out = n.output().shape().dims();
        int[] inStrides = strides(dims);
        double[] v = doubles(a), result = new double[(int) Shape.of(out).elementCount()];
        int[] index = new int[out.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < out.length; d++) src += (begin[d] + index[d]) * inStrides[d];
            result[i] = v[src];
            increment(index, out);
        }
        return make(a.dtype(), out, result);
    }

    static Constant pack(Node n) {
        int[] out = n.output().shape().dims();
        int axis = n.<Integer>attr("axis");
        if (axis < 0) axis += out.length;
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= out[i];
        for (int i = axis + 1; i < out.length; i++) inner *= out[i];
        double[] result = new double[(int) Shape.of(out).elementCount()];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Value in : n.inputs()) {
                System.arraycopy(doubles(in.data()), o * inner, result, pos, inner);
                pos += inner;
            }
        }
        return make(n.input(0).dtype(), out, result);
    }

    /** Shapes are static, so Shape folds even when its input is computed at run time. */
    static Constant shapeOf(Node n) {
        int[] dims = n.input(0).shape().dims();
        double[] v = new double[dims.length];
        for (int i = 0; i < dims.length; i++) v[i] = dims[i];
        return make(n.output().dtype(), new int[] {dims.length}, v);
    }

    static Constant cast(Node n) { return n.input(0).data().castTo(n.attr("to")); }

    static Constant fill(Node n) {
        int[] dims = n.input(0).data().ints();
        double[] v = new double[(int) Shape.of(dims).elementCount()];
        Constant value = n.input(1).data();
        java.util.Arrays.fill(v, value.isFloating() ? value.floatAt(0) : value.longAt(0));
        return make(value.dtype(), dims, v);
    }

    static int rangeLength(Node n) {
        double start = n.input(0).data().floatAt(0), limit = n.input(1).data().floatAt(0), delta = n.input(2).data().floatAt(0);
        return (int) Math.max(0, Math.ceil((limit - start) / delta));
    }

    static Constant range(Node n) {
        double start = n.input(0).data().floatAt(0), delta = n.input(2).data().floatAt(0);
        double[] v = new double[rangeLength(n)];
        for (int i = 0; i < v.length; i++) v[i] = start + i * delta;
        return make(n.input(0).dtype(), new int[] {v.length}, v);
    }

    static Constant gather(Node n) {
        Constant p = n.input(0).data();
        int[] dims = p.shape().dims(), idx = n.input(1).data().ints();
        int axis = n.attr("axis", 0);
        if (axis < 0) axis += dims.length;
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
        double[] v = doubles(p), result = new double[outer * idx.length * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (int j : idx) {
                int k = j < 0 ? j + dims[axis] : j;
                System.arraycopy(v, (o * dims[axis] + k) * inner, result, pos, inner);
                pos += inner;
            }
        }
        return make(p.dtype(), n.output().shape().dims(), result);
    }

    /** erf via the Chebyshev fit of erfc from Numerical Recipes (fractional error below 1.2e-7, enough for float32). */
    static double erf(double x) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
