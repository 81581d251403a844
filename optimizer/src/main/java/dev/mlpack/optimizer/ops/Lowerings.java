package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Padding;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.tf.LoweringContext;
import java.util.Arrays;

/** What the families' TF lowerings share: reading TF's layout conventions. */
final class Lowerings {
    private Lowerings() {}

    /** Height and width of an NHWC four-element attribute (strides, dilations, ksize). */
    static int[] spatial(int[] nhwc) { return new int[] {nhwc[1], nhwc[2]}; }

    static void requireNhwc(LoweringContext c) {
        String format = c.stringAttr("data_format", "NHWC");
        if (!format.equals("NHWC")) throw c.unsupported(c.opType() + " in " + format + " layout (only NHWC)");
    }

    /** TF's padding attribute: EXPLICIT paddings have become a PAD before the op (see {@link #explicitPadding}). */
    static Padding padding(LoweringContext c) { return Padding.ofTf(c.stringAttr("padding", "VALID")); }

    /** Input {@code i} of a windowed op, behind a PAD when the op's padding is EXPLICIT. */
    static Value paddedInput(LoweringContext c, int i) {
        Value x = c.input(i);
        if (!c.stringAttr("padding", "").equals("EXPLICIT")) return x;
        int[] p = c.intsAttr("explicit_paddings");
        if (Arrays.stream(p).allMatch(v -> v == 0)) return x;
        Value paddings = c.constant("paddings", Constant.ofLongs(DType.INT32, Shape.of(4, 2), Arrays.stream(p).asLongStream().toArray()));
        return c.emit(Shapes.PAD, x, paddings);
    }

    /** Constant input {@code i} as int32, the type TFLite takes shape and index operands in. */
    static Value int32(LoweringContext c, int input, String role) {
        return c.constant(role, c.constantInput(input, role).castTo(DType.INT32));
    }

    static Value reshapeTo(LoweringContext c, Value x, int[] dims) {
        return c.emit(Shapes.RESHAPE, x, c.constant("shape", Constant.ofInts(dims)));
    }
}
