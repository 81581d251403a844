package dev.mlpack.optimizer.ir;

/** Layout changes on constant data, used when lowering weights to TFLite's layouts. */
public final class ConstantMath {
    private ConstantMath() {}

    /** {@code out[i...] = in[perm applied]}, as TF's Transpose. */
    public static Constant transpose(Constant in, int... perm) {
        int[] dims = in.shape().dims();
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = dims[perm[i]];
        int[] inStrides = Kernels.strides(dims);
        float[] src = in.floatView();
        float[] dst = new float[src.length];
        int[] index = new int[out.length];
        for (int i = 0; i < dst.length; i++) {
            int s = 0;
            for (int d = 0; d < out.length; d++) s += index[d] * inStrides[perm[d]];
            dst[i] = src[s];
            for (int d = out.length - 1; d >= 0; d--) {
                if (++index[d] < out[d]) break;
                index[d] = 0;
            }
        }
        return in.isFloating() ? Constant.ofFloats(Shape.of(out), dst) : Constant.ofFloats(Shape.of(out), dst).castTo(in.dtype());
    }
}
