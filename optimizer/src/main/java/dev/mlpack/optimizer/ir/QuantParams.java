package dev.mlpack.optimizer.ir;

import java.util.Arrays;

/**
 * How a tensor is stored when quantized: real = scale·(q − zeroPoint), per tensor (one scale) or per channel along
 * {@code axis}. {@code storage} is INT8, UINT8 or INT32 (biases).
 */
public record QuantParams(DType storage, float[] scales, long[] zeroPoints, int axis) {
    public QuantParams {
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
        if (scales.length != zeroPoints.length || scales.length == 0) throw new IllegalArgumentException("one zero point per scale");
        for (float s : scales) if (!(s > 0) || !Float.isFinite(s)) throw new IllegalArgumentException("scale must be positive: " + s);
    }

    public static QuantParams perTensor(DType storage, float scale, long zeroPoint) {
        return new QuantParams(storage, new float[] {scale}, new long[] {zeroPoint}, 0);
    }

    public boolean perChannel() { return scales.length > 1; }

    public float scale() { return scales[0]; }

    public long zeroPoint() { return zeroPoints[0]; }

    public long qmin() { return storage == DType.INT8 ? -128 : storage == DType.UINT8 ? 0 : Integer.MIN_VALUE; }

    public long qmax() { return storage == DType.INT8 ? 127 : storage == DType.UINT8 ? 255 : Integer.MAX_VALUE; }

    /** Quantizes constant data; channel {@code c} of element {@code i} is found along {@code axis}. */
    public long[] quantize(Constant data) {
        float[] v = data.floatView();
        long[] q = new long[v.length];
        int[] dims = data.shape().dims();
        int inner = innerSize(dims);
        int channels = perChannel() ? dims[axis] : 1;
        for (int i = 0; i < v.length; i++) {
            int c = perChannel() ? (i / inner) % channels : 0;
            long x = Math.round(v[i] / (double) scales[c]) + zeroPoints[c];
            q[i] = Math.max(qmin(), Math.min(qmax(), x));
        }
        return q;
    }

    /** The real values that {@link #quantize}d data {@code q} of {@code shape} stands for. */
    public double[] dequantize(long[] q, Shape shape) {
        int[] dims = shape.dims();
        int inner = innerSize(dims);
        int channels = perChannel() ? dims[axis] : 1;
        double[] out = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            int c = perChannel() ? (i / inner) % channels : 0;
            out[i] = (q[i] - zeroPoints[c]) * (double) scales[c];
        }
        return out;
    }

    /** Elements per step along {@code axis}: the product of the dimensions after it. */
    private int innerSize(int[] dims) {
        int inner = 1;
        for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
        return inner;
    }

    @Override public boolean equals(Object o) {
        return o instanceof QuantParams p && storage == p.storage && axis == p.axis && Arrays.equals(scales, p.scales)
                && Arrays.equals(zeroPoints, p.zeroPoints);
    }

    @Override public int hashCode() { return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints); }

    @Override public String toString() {
        return storage + (perChannel() ? " per-channel(" + scales.length + ", axis " + axis + ")" : " scale=" + scale() + " zp=" + zeroPoint());
    }
}
