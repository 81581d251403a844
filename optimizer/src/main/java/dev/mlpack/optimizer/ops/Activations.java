package dev.mlpack.optimizer.ops;

import static dev.mlpack.optimizer.ops.Elementwise.unaryLowering;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Kernels;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.GeluOptions;
import org.tensorflow.lite.schema.LeakyReluOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;

/**
 * Activation functions. SWISH, ERF and ERFC have no TFLite builtin: SWISH is written as LOGISTIC then MUL, and ERF and
 * ERFC occur only inside GELU, which {@code RecognizeActivations} turns into one op.
 */
public final class Activations {
    private Activations() {}

    public record LeakyReluAttrs(float alpha) implements Attrs {}

    /** {@code approximate}: the tanh form of GELU; else the erf form. */
    public record GeluAttrs(boolean approximate) implements Attrs {}

    public record SoftmaxAttrs(float beta) implements Attrs {}

    public static final OpSpec<Attrs.None> RELU = Elementwise.unary("RELU", BuiltinOperator.RELU, x -> Math.max(0, x), Int8Spec.INDEPENDENT, true);
    public static final OpSpec<Attrs.None> RELU6 = Elementwise.unary("RELU6", BuiltinOperator.RELU6, x -> Math.min(6, Math.max(0, x)),
            Int8Spec.INDEPENDENT, true);
    public static final OpSpec<LeakyReluAttrs> LEAKY_RELU = OpSpec.builder("LEAKY_RELU", BuiltinOperator.LEAKY_RELU, LeakyReluAttrs.class)
            .shape((n, a) -> ShapeRules.same(n))
            .folder((n, a) -> Kernels.<LeakyReluAttrs>unary(x -> x >= 0 ? x : a.alpha() * x).fold(n, a))
            .int8(Int8Spec.INDEPENDENT)
            .encoding(Encoding.withOptions(BuiltinOptions.LeakyReluOptions, (fb, n, a) -> LeakyReluOptions.createLeakyReluOptions(fb, a.alpha()),
                    (n, a, p) -> 1))
            .build();
    public static final OpSpec<Attrs.None> ELU = Elementwise.unary("ELU", BuiltinOperator.ELU, x -> x > 0 ? x : Math.expm1(x),
            Int8Spec.INDEPENDENT, false);
    public static final OpSpec<Attrs.None> LOGISTIC = Elementwise.unary("LOGISTIC", BuiltinOperator.LOGISTIC, x -> 1 / (1 + Math.exp(-x)),
            Int8Spec.PROBABILITY, true);
    public static final OpSpec<Attrs.None> TANH = Elementwise.unary("TANH", BuiltinOperator.TANH, Math::tanh, Int8Spec.SIGNED_UNIT, true);
    public static final OpSpec<Attrs.None> HARD_SWISH = OpSpec.builder("HARD_SWISH", BuiltinOperator.HARD_SWISH)
            .shape((n, a) -> ShapeRules.same(n)).int8(Int8Spec.INDEPENDENT).encoding(Encoding.plain()).build();
    public static final OpSpec<GeluAttrs> GELU = OpSpec.builder("GELU", BuiltinOperator.GELU, GeluAttrs.class)
            .shape((n, a) -> ShapeRules.same(n)).int8(Int8Spec.INDEPENDENT)
            .encoding(Encoding.withOptions(BuiltinOptions.GeluOptions, (fb, n, a) -> GeluOptions.createGeluOptions(fb, a.approximate()),
                    (n, a, p) -> 1))
            .build();
    public static final OpSpec<SoftmaxAttrs> SOFTMAX = OpSpec.builder("SOFTMAX", BuiltinOperator.SOFTMAX, SoftmaxAttrs.class)
            .shape((n, a) -> ShapeRules.same(n)).int8(Int8Spec.PROBABILITY)
            .encoding(Encoding.withOptions(BuiltinOptions.SoftmaxOptions, (fb, n, a) -> SoftmaxOptions.createSoftmaxOptions(fb, a.beta())))
            .build();
    /** x·sigmoid(x): no TFLite builtin, written as LOGISTIC then MUL, but kept whole so quantization sees one unit. */
    public static final OpSpec<Attrs.None> SWISH = OpSpec.builder("SWISH", -1).shape((n, a) -> ShapeRules.same(n)).build();
    /** Only valid inside a GELU pattern; TFLite has no ERF builtin, so a lone one is unsupported. */
    public static final OpSpec<Attrs.None> ERF = OpSpec.builder("ERF", -1).shape((n, a) -> ShapeRules.same(n))
            .folder(Kernels.unary(Kernels::erf)).build();
    /** TF 2.21 writes exact GELU as 0.5·x·erfc(−x/√2); like ERF, valid only inside that pattern. */
    public static final OpSpec<Attrs.None> ERFC = OpSpec.builder("ERFC", -1).shape((n, a) -> ShapeRules.same(n))
            .folder(Kernels.unary(x -> 1 - Kernels.erf(x))).build();

    public static List<OpSpec<?>> specs() {
        return List.of(RELU, RELU6, LEAKY_RELU, ELU, LOGISTIC, TANH, HARD_SWISH, GELU, SOFTMAX, SWISH, ERF, ERFC);
    }

    static void lowerings(LoweringTable t) {
        unaryLowering(t, "Relu", RELU);
        unaryLowering(t, "Relu6", RELU6);
        unaryLowering(t, "Elu", ELU);
        unaryLowering(t, "Sigmoid", LOGISTIC);
        unaryLowering(t, "Tanh", TANH);
        unaryLowering(t, "Erf", ERF);
        unaryLowering(t, "Erfc", ERFC);
        t.add("LeakyRelu", c -> List.of(c.emit(LEAKY_RELU, List.of(c.input(0)), new LeakyReluAttrs(c.floatAttr("alpha", 0.2f)))));
        t.add("Softmax", c -> List.of(c.emit(SOFTMAX, List.of(c.input(0)), new SoftmaxAttrs(1f))));
    }
}
