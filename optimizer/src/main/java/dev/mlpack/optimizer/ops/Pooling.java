package dev.mlpack.optimizer.ops;

import static dev.mlpack.optimizer.ops.Lowerings.padding;
import static dev.mlpack.optimizer.ops.Lowerings.requireNhwc;
import static dev.mlpack.optimizer.ops.Lowerings.spatial;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.FusedActivation;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Padding;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.ir.Window;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Pool2DOptions;

/** Max and average pooling over height and width. */
public final class Pooling {
    private Pooling() {}

    /** Window size, strides (height, width), padding and the fused activation. */
    public record PoolAttrs(int[] filter, int[] strides, Padding padding, Activation activation) implements FusedActivation {
        @Override public PoolAttrs withActivation(Activation a) { return new PoolAttrs(filter, strides, padding, a); }
    }

    public static final OpSpec<PoolAttrs> MAX_POOL_2D = pool("MAX_POOL_2D", BuiltinOperator.MAX_POOL_2D);
    public static final OpSpec<PoolAttrs> AVERAGE_POOL_2D = pool("AVERAGE_POOL_2D", BuiltinOperator.AVERAGE_POOL_2D);

    public static List<OpSpec<?>> specs() { return List.of(MAX_POOL_2D, AVERAGE_POOL_2D); }

    private static OpSpec<PoolAttrs> pool(String name, int code) {
        return OpSpec.builder(name, code, PoolAttrs.class)
                .shape((n, a) -> {
                    int[] x = n.input(0).shape().dims(), k = a.filter(), s = a.strides();
                    return ShapeRules.one(n.input(0).dtype(), x[0], Window.outputLength(x[1], k[0], s[0], 1, a.padding()),
                            Window.outputLength(x[2], k[1], s[1], 1, a.padding()), x[3]);
                })
                .int8(Int8Spec.SAME_AS_FIRST_INPUT)
                .encoding(Encoding.withOptions(BuiltinOptions.Pool2DOptions, (fb, n, a) -> Pool2DOptions.createPool2DOptions(fb,
                        a.padding().tfliteCode, a.strides()[1], a.strides()[0], a.filter()[1], a.filter()[0], a.activation().tfliteCode)))
                .build();
    }

    static void lowerings(LoweringTable t) {
        for (var e : List.of(java.util.Map.entry("MaxPool", MAX_POOL_2D), java.util.Map.entry("AvgPool", AVERAGE_POOL_2D))) {
            t.add(e.getKey(), c -> {
                requireNhwc(c);
                return List.of(c.emit(e.getValue(), List.of(c.input(0)), new PoolAttrs(spatial(c.intsAttr("ksize")),
                        spatial(c.intsAttr("strides")), padding(c), Activation.NONE)));
            });
        }
    }
}
