package dev.mlpack.optimizer.ir;

/** The geometry of a sliding window along one axis (convolution, pooling), as TensorFlow lays out SAME and VALID. */
public final class Window {
    private Window() {}

    /** How many output positions the window takes. */
    public static int outputLength(int in, int kernel, int stride, int dilation, Padding padding) {
        int effective = (kernel - 1) * dilation + 1;
        return padding == Padding.SAME ? (in + stride - 1) / stride : (in - effective + stride) / stride;
    }

    /** Padding positions before the input; SAME puts the odd one after, as TensorFlow does. */
    public static int paddingBefore(int in, int kernel, int stride, int dilation, Padding padding) {
        if (padding != Padding.SAME) return 0;
        int effective = (kernel - 1) * dilation + 1;
        return Math.max((outputLength(in, kernel, stride, dilation, padding) - 1) * stride + effective - in, 0) / 2;
    }

    /** For each kernel tap, the share of output positions at which it reads the input rather than padding. */
    public static double[] tapCoverage(int in, int kernel, int stride, int dilation, Padding padding) {
        int outputs = outputLength(in, kernel, stride, dilation, padding);
        int before = paddingBefore(in, kernel, stride, dilation, padding);
        double[] share = new double[kernel];
        for (int k = 0; k < kernel && outputs > 0; k++) {
            int inside = 0;
            for (int o = 0; o < outputs; o++) {
                int at = o * stride - before + k * dilation;
                if (at >= 0 && at < in) inside++;
            }
            share[k] = inside / (double) outputs;
        }
        return share;
    }
}
