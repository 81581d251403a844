package dev.mlpack.optimizer.ir;

import static dev.mlpack.optimizer.ir.ShapeRules.*;

import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * The one table of operations the converter knows: each op's TFLite builtin code, how its output type is inferred,
 * and how it is evaluated when all inputs are constant (for folding). Input order follows TFLite's, so the writer
 * emits nodes as they are. TF ops are mapped to these in {@code tf.TfOpLowering}; quantization constraints in the
 * quantizer refer to these same constants.
 */
public enum Op {
    // Inputs: x, filter (OHWI), bias?. Attrs: strides, dilations (int[2]), padding (SAME|VALID), activation.
    CONV_2D(BuiltinOperator.CONV_2D, ShapeRules::conv2d, null),
    // Inputs: x, filter (1,H,W,C*M), bias?. Attrs as CONV_2D plus depth_multiplier.
    DEPTHWISE_CONV_2D(BuiltinOperator.DEPTHWISE_CONV_2D, ShapeRules::depthwise, null),
    // Inputs: x [.., K], weights [M, K], bias?. Attrs: activation.
    FULLY_CONNECTED(BuiltinOperator.FULLY_CONNECTED, ShapeRules::fullyConnected, null),
    // Inputs: x, y. Attrs: adj_x, adj_y.
    BATCH_MATMUL(BuiltinOperator.BATCH_MATMUL, ShapeRules::batchMatMul, null),
    // Attrs: filter, strides (int[2]), padding, activation.
    MAX_POOL_2D(BuiltinOperator.MAX_POOL_2D, ShapeRules::pool, null),
    AVERAGE_POOL_2D(BuiltinOperator.AVERAGE_POOL_2D, ShapeRules::pool, null),

    ADD(BuiltinOperator.ADD, ShapeRules::broadcast, Kernels.binary((a, b) -> a + b)),
    SUB(BuiltinOperator.SUB, ShapeRules::broadcast, Kernels.binary((a, b) -> a - b)),
    MUL(BuiltinOperator.MUL, ShapeRules::broadcast, Kernels.binary((a, b) -> a * b)),
    DIV(BuiltinOperator.DIV, ShapeRules::broadcast, Kernels.binary((a, b) -> a / b)),
    MAXIMUM(BuiltinOperator.MAXIMUM, ShapeRules::broadcast, Kernels.binary(Math::max)),
    MINIMUM(BuiltinOperator.MINIMUM, ShapeRules::broadcast, Kernels.binary(Math::min)),
    SQUARED_DIFFERENCE(BuiltinOperator.SQUARED_DIFFERENCE, ShapeRules::broadcast, Kernels.binary((a, b) -> (a - b) * (a - b))),
    POW(BuiltinOperator.POW, ShapeRules::broadcast, Kernels.binary(Math::pow)),

    RSQRT(BuiltinOperator.RSQRT, ShapeRules::same, Kernels.unary(x -> 1 / Math.sqrt(x))),
    SQRT(BuiltinOperator.SQRT, ShapeRules::same, Kernels.unary(Math::sqrt)),
    SQUARE(BuiltinOperator.SQUARE, ShapeRules::same, Kernels.unary(x -> x * x)),
    EXP(BuiltinOperator.EXP, ShapeRules::same, Kernels.unary(Math::exp)),
    LOG(BuiltinOperator.LOG, ShapeRules::same, Kernels.unary(Math::log)),
    NEG(BuiltinOperator.NEG, ShapeRules::same, Kernels.unary(x -> -x)),
    ABS(BuiltinOperator.ABS, ShapeRules::same, Kernels.unary(Math::abs)),
    RELU(BuiltinOperator.RELU, ShapeRules::same, Kernels.unary(x -> Math.max(0, x))),
    RELU6(BuiltinOperator.RELU6, ShapeRules::same, Kernels.unary(x -> Math.min(6, Math.max(0, x)))),
    // Attrs: alpha.
    LEAKY_RELU(BuiltinOperator.LEAKY_RELU, ShapeRules::same, null),
    LOGISTIC(BuiltinOperator.LOGISTIC, ShapeRules::same, Kernels.unary(x -> 1 / (1 + Math.exp(-x)))),
    TANH(BuiltinOperator.TANH, ShapeRules::same, Kernels.unary(Math::tanh)),
    HARD_SWISH(BuiltinOperator.HARD_SWISH, ShapeRules::same, null),
    // Attrs: approximate (tanh form when true, erf form when false).
    GELU(BuiltinOperator.GELU, ShapeRules::same, null),
    // Attrs: beta.
    SOFTMAX(BuiltinOperator.SOFTMAX, ShapeRules::same, null),
    /** x·sigmoid(x): no TFLite builtin, written as LOGISTIC then MUL, but kept whole so quantization sees one unit. */
    SWISH(-1, ShapeRules::same, null),
    /** Only valid inside a GELU pattern; TFLite has no ERF builtin, so a lone one is unsupported. */
    ERF(-1, ShapeRules::same, Kernels.unary(Kernels::erf)),
    /** TF 2.21 writes exact GELU as 0.5·x·erfc(−x/√2); like ERF, valid only inside that pattern. */
    ERFC(-1, ShapeRules::same, Kernels.unary(x -> 1 - Kernels.erf(x))),

    // Inputs: x, axes (int32). Attrs: keep_dims.
    MEAN(BuiltinOperator.MEAN, ShapeRules::reduce, Kernels.reduce(Kernels.Reduction.MEAN)),
    SUM(BuiltinOperator.SUM, ShapeRules::reduce, Kernels.reduce(Kernels.Reduction.SUM)),
    REDUCE_MAX(BuiltinOperator.REDUCE_MAX, ShapeRules::reduce, Kernels.reduce(Kernels.Reduction.MAX)),
    REDUCE_PROD(BuiltinOperator.REDUCE_PROD, ShapeRules::reduce, Kernels.reduce(Kernels.Reduction.PROD)),

    // Inputs: any number of tensors. Attrs: axis, activation.
    CONCATENATION(BuiltinOperator.CONCATENATION, ShapeRules::concat, Kernels::concat),
    // Inputs: x, axis (int32 [1]).
    REVERSE_V2(BuiltinOperator.REVERSE_V2, ShapeRules::same, Kernels::reverse),
    // Inputs: x, y; output bool.
    NOT_EQUAL(BuiltinOperator.NOT_EQUAL, ShapeRules::compare, Kernels.binary(DType.BOOL, (a, b) -> a != b ? 1 : 0)),
    // Inputs: condition (bool), x, y, broadcast together; x where the condition holds, else y.
    SELECT_V2(BuiltinOperator.SELECT_V2, ShapeRules::select, null),
    // Inputs: x, shape (int32).
    RESHAPE(BuiltinOperator.RESHAPE, ShapeRules::reshape, Kernels::reshape),
    // Inputs: x, perm (int32).
    TRANSPOSE(BuiltinOperator.TRANSPOSE, ShapeRules::transpose, Kernels::transpose),
    // Inputs: x, paddings (int32 [rank,2]).
    PAD(BuiltinOperator.PAD, ShapeRules::pad, null),
    // Inputs: x, paddings, constant value.
    PADV2(BuiltinOperator.PADV2, ShapeRules::pad, null),
    // Inputs: x, begin, end, strides. Attrs: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask.
    STRIDED_SLICE(BuiltinOperator.STRIDED_SLICE, ShapeRules::stridedSlice, Kernels::stridedSlice),
    // Inputs: x, begin, size.
    SLICE(BuiltinOperator.SLICE, ShapeRules::slice, Kernels::slice),
    // Inputs: any number of same-shaped tensors. Attrs: axis.
    PACK(BuiltinOperator.PACK, ShapeRules::pack, Kernels::pack),
    SHAPE(BuiltinOperator.SHAPE, ShapeRules::shapeOf, Kernels::shapeOf),
    // Attrs: to (DType).
    CAST(BuiltinOperator.CAST, ShapeRules::cast, Kernels::cast),
    // Inputs: dims, value.
    FILL(BuiltinOperator.FILL, ShapeRules::fill, Kernels::fill),
    // Inputs: start, limit, delta.
    RANGE(BuiltinOperator.RANGE, ShapeRules::range, Kernels::range),
    // Inputs: params, indices. Attrs: axis.
    GATHER(BuiltinOperator.GATHER, ShapeRules::gather, Kernels::gather),
    // Inputs: x, size (int32 [2]). Attrs: align_corners, half_pixel_centers.
    RESIZE_BILINEAR(BuiltinOperator.RESIZE_BILINEAR, ShapeRules::resize, null),
    RESIZE_NEAREST_NEIGHBOR(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, ShapeRules::resize, null),
    // Input: float16 or int8 constant; output float32.
    DEQUANTIZE(BuiltinOperator.DEQUANTIZE, ShapeRules::toFloat32, null),
    QUANTIZE(BuiltinOperator.QUANTIZE, ShapeRules::cast, null);

    /** TFLite BuiltinOperator code, or -1 for ops that are rewritten before writing. */
    public final int builtinCode;
    private final ShapeRules.Rule rule;
    private final Kernels.Evaluator evaluator;

    Op(int builtinCode, ShapeRules.Rule rule, Kernels.Evaluator evaluator) {
        this.builtinCode = builtinCode;
        this.rule = rule;
        this.evaluator = evaluator;
    }

    /** Output types of a node with these inputs and attributes. */
    public TensorType[] infer(Node node) { return rule.infer(node); }

    public boolean canEvaluate() { return evaluator != null; }

    /** The node's single output computed from constant inputs. */
    public Constant evaluate(Node node) { return evaluator.evaluate(node); }

    /** How an op's int8 kernel constrains its tensors, from TFLite's int8 quantization specification. */
    public enum Int8Rule {
        /** No int8 kernel: the op stays in float between DEQUANTIZE and QUANTIZE, and is reported. */
        FLOAT_ONLY,
        /** Output parameters are free (the kernel rescales). */
        INDEPENDENT,
        /** Output (and, for concatenation, every input) shares the input's scale and zero point. */
        SAME_AS_INPUT,
        /** Output is fixed to scale 1/256, zero point −128 (a probability). */
        FIXED_PROBABILITY,
        /** Output is fixed to scale 1/128, zero point 0 (a value in [−1, 1]). */
        FIXED_SIGNED_UNIT
    }

    public Int8Rule int8Rule() {
        return switch (this) {
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL, ADD, SUB, MUL, SQUARED_DIFFERENCE, RSQRT,
                 RELU, RELU6, LEAKY_RELU, HARD_SWISH, GELU, MEAN, SUM, ABS, QUANTIZE -> Int8Rule.INDEPENDENT;
            case MAX_POOL_2D, AVERAGE_POOL_2D, CONCATENATION, RESHAPE, TRANSPOSE, PAD, PADV2, STRIDED_SLICE, SLICE, PACK,
                 GATHER, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, MAXIMUM, MINIMUM, REDUCE_MAX, REVERSE_V2 -> Int8Rule.SAME_AS_INPUT;
            case SOFTMAX, LOGISTIC -> Int8Rule.FIXED_PROBABILITY;
            case TANH -> Int8Rule.FIXED_SIGNED_UNIT;
            default -> Int8Rule.FLOAT_ONLY;
        };
    }

    /**
     * Ops whose TFLite kernels apply a fused_activation_function. CONCATENATION has the field in its options,
     * but its kernel rejects anything but NONE.
     */
    public boolean acceptsFusedActivation() {
        return switch (this) {
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, DIV, MAX_POOL_2D, AVERAGE_POOL_2D -> true;
            default -> false;
        };
    }
}
