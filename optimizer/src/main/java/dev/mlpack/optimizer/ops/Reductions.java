package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Kernels;
import dev.mlpack.optimizer.ir.Kernels.Reduction;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.ir.TensorType;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ReducerOptions;

/** Reductions over axes: x, axes (int32). */
public final class Reductions {
    private Reductions() {}

    public record ReduceAttrs(boolean keepDims) implements Attrs {}

    public static final OpSpec<ReduceAttrs> MEAN = reduce("MEAN", BuiltinOperator.MEAN, Reduction.MEAN, Int8Spec.INDEPENDENT, true);
    public static final OpSpec<ReduceAttrs> SUM = reduce("SUM", BuiltinOperator.SUM, Reduction.SUM, Int8Spec.INDEPENDENT, false);
    public static final OpSpec<ReduceAttrs> REDUCE_MAX = reduce("REDUCE_MAX", BuiltinOperator.REDUCE_MAX, Reduction.MAX,
            Int8Spec.SAME_AS_FIRST_INPUT, true);
    public static final OpSpec<ReduceAttrs> REDUCE_PROD = reduce("REDUCE_PROD", BuiltinOperator.REDUCE_PROD, Reduction.PROD,
            Int8Spec.FLOAT_ONLY, false);

    public static List<OpSpec<?>> specs() { return List.of(MEAN, SUM, REDUCE_MAX, REDUCE_PROD); }

    /** {@code int8V2}: its int8 kernel is version 2. */
    private static OpSpec<ReduceAttrs> reduce(String name, int code, Reduction kind, Int8Spec int8, boolean int8V2) {
        Encoding.Options<ReduceAttrs> options = (fb, n, a) -> ReducerOptions.createReducerOptions(fb, a.keepDims());
        return OpSpec.builder(name, code, ReduceAttrs.class).shape(Reductions::shape).folder(Kernels.reduce(kind)).int8(int8)
                .encoding(int8V2 ? Encoding.withOptions(BuiltinOptions.ReducerOptions, options)
                        : Encoding.withOptions(BuiltinOptions.ReducerOptions, options, (n, a, p) -> 1))
                .build();
    }

    private static TensorType[] shape(Node n, ReduceAttrs a) {
        int[] x = n.input(0).shape().dims();
        int[] axes = ShapeRules.normalizedAxes(n.input(1).data().ints(), x.length);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            final int dim = i;
            boolean reduced = Arrays.stream(axes).anyMatch(ax -> ax == dim);
            if (!reduced) out.add(x[i]);
            else if (a.keepDims()) out.add(1);
        }
        return ShapeRules.one(n.input(0).dtype(), out.stream().mapToInt(Integer::intValue).toArray());
    }

    static void lowerings(LoweringTable t) {
        for (var e : List.of(java.util.Map.entry("Mean", MEAN), java.util.Map.entry("Sum", SUM), java.util.Map.entry("Max", REDUCE_MAX),
                java.util.Map.entry("Prod", REDUCE_PROD))) {
            t.add(e.getKey(), c -> {
                Value axes = c.constant("axes", c.constantInput(1, "axis").castTo(DType.INT32));
                return List.of(c.emit(e.getValue(), List.of(c.input(0), axes), new ReduceAttrs(c.boolAttr("keep_dims", false))));
            });
        }
    }
}
