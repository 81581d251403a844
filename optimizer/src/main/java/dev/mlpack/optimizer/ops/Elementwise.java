package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.FusedActivation;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Kernels;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.tf.LoweringContext;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.DivOptions;
import org.tensorflow.lite.schema.MulOptions;
import org.tensorflow.lite.schema.SubOptions;

/** Elementwise arithmetic with broadcasting, comparisons, selection and math functions. */
public final class Elementwise {
    private Elementwise() {}

    /** The arithmetic ops whose kernels take a fused activation. */
    public record FusedAttrs(Activation activation) implements FusedActivation {
        public static final FusedAttrs NONE = new FusedAttrs(Activation.NONE);

        @Override public FusedAttrs withActivation(Activation a) { return new FusedAttrs(a); }
    }

    public static final OpSpec<FusedAttrs> ADD = arithmetic("ADD", BuiltinOperator.ADD, (a, b) -> a + b, Int8Spec.INDEPENDENT,
            Encoding.withOptions(BuiltinOptions.AddOptions, (fb, n, a) -> AddOptions.createAddOptions(fb, a.activation().tfliteCode, false)));
    public static final OpSpec<FusedAttrs> SUB = arithmetic("SUB", BuiltinOperator.SUB, (a, b) -> a - b, Int8Spec.INDEPENDENT,
            Encoding.withOptions(BuiltinOptions.SubOptions, (fb, n, a) -> SubOptions.createSubOptions(fb, a.activation().tfliteCode, false)));
    public static final OpSpec<FusedAttrs> MUL = arithmetic("MUL", BuiltinOperator.MUL, (a, b) -> a * b, Int8Spec.INDEPENDENT,
            Encoding.withOptions(BuiltinOptions.MulOptions, (fb, n, a) -> MulOptions.createMulOptions(fb, a.activation().tfliteCode)));
    public static final OpSpec<FusedAttrs> DIV = arithmetic("DIV", BuiltinOperator.DIV, (a, b) -> a / b, Int8Spec.FLOAT_ONLY,
            Encoding.withOptions(BuiltinOptions.DivOptions, (fb, n, a) -> DivOptions.createDivOptions(fb, a.activation().tfliteCode),
                    (n, a, p) -> 1));

    public static final OpSpec<Attrs.None> MAXIMUM = binary("MAXIMUM", BuiltinOperator.MAXIMUM, Math::max, Int8Spec.SAME_AS_ALL_INPUTS, true);
    public static final OpSpec<Attrs.None> MINIMUM = binary("MINIMUM", BuiltinOperator.MINIMUM, Math::min, Int8Spec.SAME_AS_ALL_INPUTS, true);
    public static final OpSpec<Attrs.None> SQUARED_DIFFERENCE = binary("SQUARED_DIFFERENCE", BuiltinOperator.SQUARED_DIFFERENCE,
            (a, b) -> (a - b) * (a - b), Int8Spec.INDEPENDENT, false);
    public static final OpSpec<Attrs.None> POW = binary("POW", BuiltinOperator.POW, Math::pow, Int8Spec.FLOAT_ONLY, false);

    /** x ≠ y, a bool tensor. */
    public static final OpSpec<Attrs.None> NOT_EQUAL = OpSpec.builder("NOT_EQUAL", BuiltinOperator.NOT_EQUAL)
            .shape((n, a) -> ShapeRules.compare(n)).folder(Kernels.binary(DType.BOOL, (a, b) -> a != b ? 1 : 0))
            .encoding(Encoding.plain()).build();

    /** condition (bool), x, y, broadcast together: x where the condition holds, else y. */
    public static final OpSpec<Attrs.None> SELECT_V2 = OpSpec.builder("SELECT_V2", BuiltinOperator.SELECT_V2)
            .shape((n, a) -> ShapeRules.select(n)).encoding(Encoding.plain()).build();

    public static final OpSpec<Attrs.None> RSQRT = unary("RSQRT", BuiltinOperator.RSQRT, x -> 1 / Math.sqrt(x), Int8Spec.INDEPENDENT, true);
    public static final OpSpec<Attrs.None> SQRT = unary("SQRT", BuiltinOperator.SQRT, Math::sqrt, Int8Spec.FLOAT_ONLY, false);
    public static final OpSpec<Attrs.None> SQUARE = unary("SQUARE", BuiltinOperator.SQUARE, x -> x * x, Int8Spec.FLOAT_ONLY, false);
    public static final OpSpec<Attrs.None> EXP = unary("EXP", BuiltinOperator.EXP, Math::exp, Int8Spec.FLOAT_ONLY, false);
    public static final OpSpec<Attrs.None> LOG = unary("LOG", BuiltinOperator.LOG, Math::log, Int8Spec.FLOAT_ONLY, false);
    public static final OpSpec<Attrs.None> NEG = unary("NEG", BuiltinOperator.NEG, x -> -x, Int8Spec.FLOAT_ONLY, false);
    public static final OpSpec<Attrs.None> ABS = unary("ABS", BuiltinOperator.ABS, Math::abs, Int8Spec.INDEPENDENT, true);

    public static List<OpSpec<?>> specs() {
        return List.of(ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, POW, NOT_EQUAL, SELECT_V2, RSQRT, SQRT, SQUARE, EXP,
                LOG, NEG, ABS);
    }

    private static OpSpec<FusedAttrs> arithmetic(String name, int code, DoubleBinaryOperator f, Int8Spec int8, Encoding<FusedAttrs> encoding) {
        return OpSpec.builder(name, code, FusedAttrs.class).shape((n, a) -> ShapeRules.broadcast(n)).folder(Kernels.binary(f))
                .int8(int8).encoding(encoding).build();
    }

    /** {@code int8V2}: its int8 kernel is version 2. */
    private static OpSpec<Attrs.None> binary(String name, int code, DoubleBinaryOperator f, Int8Spec int8, boolean int8V2) {
        return OpSpec.builder(name, code).shape((n, a) -> ShapeRules.broadcast(n)).folder(Kernels.binary(f)).int8(int8)
                .encoding(int8V2 ? Encoding.plainInt8V2() : Encoding.plain()).build();
    }

    /** An elementwise function of one tensor, folded with {@code f}; {@code int8V2}: its int8 kernel is version 2. */
    static OpSpec<Attrs.None> unary(String name, int code, DoubleUnaryOperator f, Int8Spec int8, boolean int8V2) {
        return OpSpec.builder(name, code).shape((n, a) -> ShapeRules.same(n)).folder(Kernels.unary(f)).int8(int8)
                .encoding(int8V2 ? Encoding.plainInt8V2() : Encoding.plain()).build();
    }

    // ---- TF lowerings -----------------------------------------------------------------------------------------

    static void lowerings(LoweringTable t) {
        arithmeticLowering(t, "Add", ADD);
        arithmeticLowering(t, "AddV2", ADD);
        arithmeticLowering(t, "Sub", SUB);
        arithmeticLowering(t, "Mul", MUL);
        arithmeticLowering(t, "RealDiv", DIV);
        arithmeticLowering(t, "Div", DIV);
        binaryLowering(t, "Maximum", MAXIMUM);
        binaryLowering(t, "Minimum", MINIMUM);
        binaryLowering(t, "SquaredDifference", SQUARED_DIFFERENCE);
        binaryLowering(t, "Pow", POW);
        t.add("DivNoNan", Elementwise::divNoNan);
        unaryLowering(t, "Rsqrt", RSQRT);
        unaryLowering(t, "Sqrt", SQRT);
        unaryLowering(t, "Square", SQUARE);
        unaryLowering(t, "Exp", EXP);
        unaryLowering(t, "Log", LOG);
        unaryLowering(t, "Neg", NEG);
        unaryLowering(t, "Abs", ABS);
        t.add("SelectV2", c -> List.of(select(c)));
        t.add("Select", c -> {
            // Select broadcasts a vector condition over the first dimension, SelectV2 numpy-style: the same only when
            // the condition has the operands' shape.
            if (!c.input(0).shape().equals(c.input(1).shape())) throw c.unsupported("Select with a condition of another shape");
            return List.of(select(c));
        });
    }

    private static void arithmeticLowering(LoweringTable t, String tfOp, OpSpec<FusedAttrs> op) {
        t.add(tfOp, c -> List.of(c.emit(op, List.of(c.input(0), c.input(1)), FusedAttrs.NONE)));
    }

    static void binaryLowering(LoweringTable t, String tfOp, OpSpec<Attrs.None> op) {
        t.add(tfOp, c -> List.of(c.emit(op, c.input(0), c.input(1))));
    }

    static void unaryLowering(LoweringTable t, String tfOp, OpSpec<Attrs.None> op) {
        t.add(tfOp, c -> List.of(c.emit(op, c.input(0))));
    }

    /** Select between two tensors; the same tensor on both sides needs no condition at all. */
    private static Value select(LoweringContext c) {
        Value a = c.input(1), b = c.input(2);
        return a == b ? a : c.emit(SELECT_V2, c.input(0), a, b);
    }

    /** x / y, and 0 where y is 0 (tf.math.divide_no_nan). */
    private static List<Value> divNoNan(LoweringContext c) {
        Value x = c.input(0), y = c.input(1);
        Value zero = c.constant("zero", Constant.ofFloats(Shape.SCALAR, new float[] {0}).castTo(y.dtype()));
        if (!y.isConstant()) {
            // The division may give Inf or NaN where y is 0; the select never lets them through.
            Value quotient = c.emit(DIV, List.of(x, y), FusedAttrs.NONE);
            return List.of(c.emit(SELECT_V2, c.emit(NOT_EQUAL, y, zero), quotient, zero));
        }
        float[] divisor = y.data().floats();
        boolean anyZero = false;
        float[] mask = new float[divisor.length];
        for (int i = 0; i < divisor.length; i++) {
            anyZero |= divisor[i] == 0;
            mask[i] = divisor[i] == 0 ? 0 : 1;
            if (divisor[i] == 0) divisor[i] = 1;
        }
        Value quotient = c.emit(DIV, List.of(x, c.constant("divisor", Constant.ofFloats(y.shape(), divisor).castTo(y.dtype()))),
                FusedAttrs.NONE);
        if (!anyZero) return List.of(quotient);
        return List.of(c.emit(MUL, List.of(quotient, c.constant("mask", Constant.ofFloats(y.shape(), mask).castTo(y.dtype()))),
                FusedAttrs.NONE));
    }
}
