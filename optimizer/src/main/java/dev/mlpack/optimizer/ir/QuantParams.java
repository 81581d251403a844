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
        // Runs of `inner` elements share a channel, and the channels repeat in order: walking the runs finds each
        // element's channel without dividing its index (two integer divisions per weight made this 15x slower).
        int inner = perChannel() ? innerSize(dims) : Math.max(1, v.length);
        int channels = perChannel() ? dims[axis] : 1;
        long lo = qmin(), hi = qmax();
        if (inner == 1) {
            for (int i = 0, c = 0; i < v.length; i++, c = c + 1 == channels ? 0 : c + 1) {
                q[i] = Math.max(lo, Math.min(hi, Math.round(v[i] / (double) scales[c]) + zeroPoints[c]));
            }
            return q;
        }
        for (int start = 0, c = 0; start < v.length; start += inner, c = c + 1 == channels ? 0 : c + 1) {
            double scale = scales[c];
            long zero = zeroPoints[c];
            for (int i = start, end = Math.min(v.length, start + inner); i < end; i++) {
                q[i] = Math.max(lo, Math.min(hi, Math.round(v[i] / scale) + zero));
            }
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
