package dev.mlpack.optimizer.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quantizing constants: each element by the scale and zero point of its channel, rounded and clamped. */
class QuantParamsTest {
    private static final Random RANDOM = new Random(11);

    private static Constant weights(int... dims) {
        Shape shape = Shape.of(dims);
        float[] v = new float[(int) shape.elementCount()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (RANDOM.nextGaussian() * 0.2);
        return Constant.ofFloats(shape, v);
    }

    private static QuantParams perChannel(int channels, int axis) {
        float[] scales = new float[channels];
        long[] zeros = new long[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = (0.5f + RANDOM.nextFloat()) / 127;
            zeros[c] = c % 3 - 1;
        }
        return new QuantParams(DType.INT8, scales, zeros, axis);
    }

    /** The definition, element by element: the channel of element i is (i / inner) % channels. */
    private static long[] byDefinition(QuantParams p, Constant data) {
        float[] v = data.floatView();
        int[] dims = data.shape().dims();
        int inner = 1;
        for (int d = p.axis() + 1; d < dims.length; d++) inner *= dims[d];
        long[] q = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = p.perChannel() ? (i / inner) % dims[p.axis()] : 0;
            q[i] = Math.max(p.qmin(), Math.min(p.qmax(), Math.round(v[i] / (double) p.scales()[c]) + p.zeroPoints()[c]));
        }
        return q;
    }

    @Test
    void everyElementTakesTheParametersOfItsChannelWhateverTheAxis() {
        Constant conv = weights(8, 3, 3, 5); // OHWI: the output channel first
        QuantParams first = perChannel(8, 0);
        assertArrayEquals(byDefinition(first, conv), first.quantize(conv));
        Constant depthwise = weights(1, 3, 3, 6); // [1, H, W, C]: the channel last
        QuantParams last = perChannel(6, 3);
        assertArrayEquals(byDefinition(last, depthwise), last.quantize(depthwise));
        Constant middle = weights(2, 4, 3);
        QuantParams mid = perChannel(4, 1);
        assertArrayEquals(byDefinition(mid, middle), mid.quantize(middle));
    }

    @Test
    void perTensorParametersQuantizeEveryElementAlikeAndClamp() {
        Constant data = Constant.ofFloats(Shape.of(2, 3), new float[] {0, 0.5f, -0.5f, 100, -100, 0.26f});
        QuantParams p = QuantParams.perTensor(DType.INT8, 0.01f, 3);
        assertArrayEquals(new long[] {3, 53, -47, 127, -128, 29}, p.quantize(data));
        assertArrayEquals(byDefinition(p, data), p.quantize(data));
    }
}
