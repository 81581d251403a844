package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.ConstantMath;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Op;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table of supported TensorFlow ops: each TF op type and how it lowers to {@link Op}s. An op missing here is
 * unsupported, and the importer names it (with its node and Keras layer) when a model needs it.
 */
public final class TfOpLowering {
    @FunctionalInterface
    interface Rule {
        List<Value> lower(LoweringContext ctx);
    }

    private static final Map<String, Rule> RULES = new HashMap<>();

    /** Ops that are identities at inference. */
    private static final Set<String> PASS_THROUGH = Set.of("Identity", "StopGradient", "Snapshot", "PreventGradient",
            "EnsureShape", "CheckNumerics", "PlaceholderWithDefault");

    private TfOpLowering() {}

    static List<Value> lower(LoweringContext ctx) {
        if (PASS_THROUGH.contains(ctx.opType())) return List.of(ctx.input(0));
        Rule rule = RULES.get(ctx.opType());
        if (rule == null) throw ctx.unsupported("op " + ctx.opType());
        return rule.lower(ctx);
    }

    /** The TF op types this table has a rule for: lowered, passed through, or refused by name. */
    static Set<String> tfOps() {
        Set<String> ops = new java.util.TreeSet<>(RULES.keySet());
        ops.addAll(PASS_THROUGH);
        return ops;
    }

    private static void rule(String tfOp, Rule rule) { RULES.put(tfOp, rule); }

    private static void unary(String tfOp, Op op) { rule(tfOp, c -> List.of(c.emit(op, c.input(0)))); }

    private static void binary(String tfOp, Op op) { rule(tfOp, c -> List.of(c.emit(op, c.input(0), c.input(1)))); }

    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static int[] spatial(int[] nhwc) { return new int[] {nhwc[1], nhwc[2]}; }

    private static void requireNhwc(LoweringContext c) {
        String format = c.stringAttr("data_format", "NHWC");
        if (!format.equals("NHWC")) throw c.unsupported(c.opType() + " in " + format + " layout (only NHWC)");
    }

    /** TF's EXPLICIT padding becomes a PAD before a VALID window op; returns the possibly padded input. */
    private static Value explicitPadding(LoweringContext c, Value x) {
        int[] p = c.intsAttr("explicit_paddings");
        if (Arrays.stream(p).allMatch(v -> v == 0)) return x;
        Value paddings = c.constant("paddings", Constant.ofLongs(DType.INT32, Shape.of(4, 2),
                Arrays.stream(p).asLongStream().toArray()));
        return c.emit(Op.PAD, x, paddings);
    }

    private static String padding(LoweringContext c) {
        String p = c.stringAttr("padding", "VALID");
        return p.equals("EXPLICIT") ? "VALID" : p;
    }

    static {
        rule("Const", c -> List.of(c.constant("value", TensorProtos.constant(c.attr("value").getTensor()))));
        rule("IdentityN", LoweringContext::inputs);
        rule("NoOp", c -> List.of());

        rule("Conv2D", c -> {
            requireNhwc(c);
            Value x = c.stringAttr("padding", "").equals("EXPLICIT") ? explicitPadding(c, c.input(0)) : c.input(0);
            // TF keeps filters as HWIO; TFLite wants OHWI.
            Constant filter = ConstantMath.transpose(c.constantInput(1, "filter"), 3, 0, 1, 2);
            return List.of(c.emit(Op.CONV_2D, List.of(x, c.constant("filter", filter)), attrs(
                    "strides", spatial(c.intsAttr("strides")), "dilations", spatial(c.intsAttr("dilations")),
                    "padding", padding(c), "activation", Activation.NONE)));
        });
        rule("DepthwiseConv2dNative", c -> {
            requireNhwc(c);
            Value x = c.stringAttr("padding", "").equals("EXPLICIT") ? explicitPadding(c, c.input(0)) : c.input(0);
            Constant f = c.constantInput(1, "filter");
            int[] d = f.shape().dims(); // H, W, C, M: flattening (C, M) gives TFLite's channel order c*M+m.
            Constant filter = f.reshaped(Shape.of(1, d[0], d[1], d[2] * d[3]));
            return List.of(c.emit(Op.DEPTHWISE_CONV_2D, List.of(x, c.constant("filter", filter)), attrs(
                    "strides", spatial(c.intsAttr("strides")), "dilations", spatial(c.intsAttr("dilations")),
                    "padding", padding(c), "depth_multiplier", d[3], "activation", Activation.NONE)));
        });
        rule("MatMul", c -> {
            boolean ta = c.boolAttr("transpose_a", false), tb = c.boolAttr("transpose_b", false);
            Value b = c.input(1);
            if (!ta && b.isConstant()) {
                Constant w = tb ? b.data() : ConstantMath.transpose(b.data(), 1, 0);
                return List.of(c.emit(Op.FULLY_CONNECTED, List.of(c.input(0), c.constant("weights", w)),
                        attrs("activation", Activation.NONE)));
            }
            return List.of(c.emit(Op.BATCH_MATMUL, List.of(c.input(0), b), attrs("adj_x", ta, "adj_y", tb)));
        });
        Rule batchMatMul = c -> {
            boolean adjX = c.boolAttr("adj_x", false), adjY = c.boolAttr("adj_y", false);
            Value y = c.input(1);
            if (!adjX && y.isConstant() && y.shape().rank() == 2) {
                // Dense on a rank-3/4 tensor (ConvNeXt's pointwise layers): a fully connected op that keeps dims.
                Constant w = adjY ? y.data() : ConstantMath.transpose(y.data(), 1, 0);
                return List.of(c.emit(Op.FULLY_CONNECTED, List.of(c.input(0), c.constant("weights", w)),
                        attrs("activation", Activation.NONE, "keep_num_dims", true)));
            }
            return List.of(c.emit(Op.BATCH_MATMUL, List.of(c.input(0), y), attrs("adj_x", adjX, "adj_y", adjY)));
        };
        rule("BatchMatMul", batchMatMul);
        rule("BatchMatMulV2", batchMatMul);
        rule("BatchMatMulV3", batchMatMul);
        rule("BiasAdd", c -> {
            requireNhwc(c);
            return List.of(c.emit(Op.ADD, c.input(0), c.input(1)));
        });
        Rule fusedBatchNorm = c -> {
            requireNhwc(c);
            float eps = c.floatAttr("epsilon", 1e-3f);
            float[] gamma = c.constantInput(1, "scale").floats(), beta = c.constantInput(2, "offset").floats();
            float[] mean = c.constantInput(3, "mean").floats(), var = c.constantInput(4, "variance").floats();
            if (c.boolAttr("is_training", false)) {
                // In training mode the mean and variance inputs are the moving statistics the op updates (tf.keras 2).
                if (c.trainingMode().keep()) throw c.unsupported("FusedBatchNorm in training mode (kept by --keep-training-graph)");
                if (mean.length != gamma.length || var.length != gamma.length) {
                    throw c.unsupported("FusedBatchNorm in training mode without moving statistics");
                }
                c.trainingMode().repairs().usedMovingStatistics(c.layer());
            }
            float[] scale = new float[gamma.length], shift = new float[gamma.length];
            for (int i = 0; i < gamma.length; i++) {
                scale[i] = (float) (gamma[i] / Math.sqrt((double) var[i] + eps));
                shift[i] = beta[i] - mean[i] * scale[i];
            }
            Shape s = Shape.of(gamma.length);
            Value y = c.emit(Op.MUL, c.input(0), c.constant("scale", Constant.ofFloats(s, scale)));
            y = c.emit(Op.ADD, y, c.constant("shift", Constant.ofFloats(s, shift)));
            return Arrays.asList(y, null, null, null, null, null);
        };
        rule("FusedBatchNorm", fusedBatchNorm);
        rule("FusedBatchNormV2", fusedBatchNorm);
        rule("FusedBatchNormV3", fusedBatchNorm);

        unary("Relu", Op.RELU);
        unary("Relu6", Op.RELU6);
        unary("Sigmoid", Op.LOGISTIC);
        unary("Tanh", Op.TANH);
        unary("Erf", Op.ERF);
        unary("Erfc", Op.ERFC);
        unary("Rsqrt", Op.RSQRT);
        unary("Sqrt", Op.SQRT);
        unary("Square", Op.SQUARE);
        unary("Exp", Op.EXP);
        unary("Log", Op.LOG);
        unary("Neg", Op.NEG);
        unary("Abs", Op.ABS);
        rule("LeakyRelu", c -> List.of(c.emit(Op.LEAKY_RELU, List.of(c.input(0)), attrs("alpha", c.floatAttr("alpha", 0.2f)))));
        rule("Softmax", c -> List.of(c.emit(Op.SOFTMAX, List.of(c.input(0)), attrs("beta", 1f))));
        binary("Add", Op.ADD);
        binary("AddV2", Op.ADD);
        binary("Sub", Op.SUB);
        binary("Mul", Op.MUL);
        binary("RealDiv", Op.DIV);
        binary("Div", Op.DIV);
        rule("DivNoNan", TfOpLowering::divNoNan);
        binary("Maximum", Op.MAXIMUM);
        binary("Minimum", Op.MINIMUM);
        binary("SquaredDifference", Op.SQUARED_DIFFERENCE);
        binary("Pow", Op.POW);

        Rule reduce = c -> {
            Op op = switch (c.opType()) {
                case "Mean" -> Op.MEAN;
                case "Sum" -> Op.SUM;
                case "Max" -> Op.REDUCE_MAX;
                default -> Op.REDUCE_PROD;
            };
            Value axes = c.constant("axes", c.constantInput(1, "axis").castTo(DType.INT32));
            return List.of(c.emit(op, List.of(c.input(0), axes), attrs("keep_dims", c.boolAttr("keep_dims", false))));
        };
        for (String r : List.of("Mean", "Sum", "Max", "Prod")) rule(r, reduce);

        Rule pool = c -> {
            requireNhwc(c);
            Op op = c.opType().equals("MaxPool") ? Op.MAX_POOL_2D : Op.AVERAGE_POOL_2D;
            return List.of(c.emit(op, List.of(c.input(0)), attrs("filter", spatial(c.intsAttr("ksize")),
                    "strides", spatial(c.intsAttr("strides")), "padding", padding(c), "activation", Activation.NONE)));
        };
        rule("MaxPool", pool);
        rule("AvgPool", pool);

        rule("Pad", c -> List.of(c.emit(Op.PAD, c.input(0), int32(c, 1, "paddings"))));
        rule("PadV2", c -> {
            Constant value = c.constantInput(2, "constant value");
            if (value.allEqual(0)) return List.of(c.emit(Op.PAD, c.input(0), int32(c, 1, "paddings")));
            return List.of(c.emit(Op.PADV2, c.input(0), int32(c, 1, "paddings"), c.input(2)));
        });
        rule("ConcatV2", c -> {
            int n = c.inputCount() - 1;
            int axis = (int) c.constantInput(n, "axis").longAt(0);
            List<Value> parts = c.inputs().subList(0, n);
            if (n == 1) return List.of(parts.get(0));
            return List.of(c.emit(Op.CONCATENATION, parts, attrs("axis", axis, "activation", Activation.NONE)));
        });
        rule("Pack", c -> List.of(c.emit(Op.PACK, c.inputs(), attrs("axis", (int) c.intAttr("axis", 0)))));
        rule("Reshape", c -> List.of(c.emit(Op.RESHAPE, c.input(0), int32(c, 1, "shape"))));
        rule("Squeeze", c -> {
            Value x = c.input(0);
            int[] dims = x.shape().dims();
            int[] axes = c.intsAttr("squeeze_dims");
            List<Integer> kept = new java.util.ArrayList<>();
            for (int i = 0; i < dims.length; i++) {
                final int d = i;
                boolean drop = axes.length == 0 ? dims[i] == 1 : Arrays.stream(axes).anyMatch(a -> (a < 0 ? a + dims.length : a) == d);
                if (!drop) kept.add(dims[i]);
            }
            return List.of(reshapeTo(c, x, kept.stream().mapToInt(Integer::intValue).toArray()));
        });
        rule("ExpandDims", c -> {
            Value x = c.input(0);
            int axis = (int) c.constantInput(1, "axis").longAt(0);
            int[] dims = x.shape().dims();
            if (axis < 0) axis += dims.length + 1;
            int[] out = new int[dims.length + 1];
            for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? 1 : dims[j++];
            return List.of(reshapeTo(c, x, out));
        });
        rule("Shape", c -> List.of(c.emit(Op.SHAPE, List.of(c.input(0)),
                attrs("out_type", TensorProtos.dtype(c.attr("out_type").getType())))));
        rule("Size", c -> List.of(c.constant("size", Constant.ofLongs(DType.INT32, Shape.SCALAR,
                new long[] {c.input(0).shape().elementCount()}))));
        rule("Rank", c -> List.of(c.constant("rank", Constant.ofLongs(DType.INT32, Shape.SCALAR,
                new long[] {c.input(0).shape().rank()}))));
        rule("StridedSlice", c -> List.of(c.emit(Op.STRIDED_SLICE,
                List.of(c.input(0), int32(c, 1, "begin"), int32(c, 2, "end"), int32(c, 3, "strides")),
                attrs("begin_mask", (int) c.intAttr("begin_mask", 0), "end_mask", (int) c.intAttr("end_mask", 0),
                        "ellipsis_mask", (int) c.intAttr("ellipsis_mask", 0), "new_axis_mask", (int) c.intAttr("new_axis_mask", 0),
                        "shrink_axis_mask", (int) c.intAttr("shrink_axis_mask", 0)))));
        rule("Slice", c -> List.of(c.emit(Op.SLICE, c.input(0), int32(c, 1, "begin"), int32(c, 2, "size"))));
        rule("Transpose", c -> List.of(c.emit(Op.TRANSPOSE, c.input(0), int32(c, 1, "perm"))));
        rule("Cast", c -> {
            DType to = TensorProtos.dtype(c.attr("DstT").getType());
            Value x = c.input(0);
            if (x.dtype() == to) return List.of(x);
            return List.of(c.emit(Op.CAST, List.of(x), attrs("to", to)));
        });
        rule("Fill", c -> List.of(c.emit(Op.FILL, int32(c, 0, "dims"), c.input(1))));
        rule("ZerosLike", c -> List.of(c.constant("zeros", zerosLike(c.input(0), 0))));
        rule("OnesLike", c -> List.of(c.constant("ones", zerosLike(c.input(0), 1))));
        rule("Range", c -> List.of(c.emit(Op.RANGE, c.input(0), c.input(1), c.input(2))));
        rule("GatherV2", c -> {
            if (c.intAttr("batch_dims", 0) != 0) throw c.unsupported("GatherV2 with batch_dims");
            int axis = (int) c.constantInput(2, "axis").longAt(0);
            return List.of(c.emit(Op.GATHER, List.of(c.input(0), int32(c, 1, "indices")), attrs("axis", axis)));
        });
        Rule resize = c -> {
            Op op = c.opType().equals("ResizeBilinear") ? Op.RESIZE_BILINEAR : Op.RESIZE_NEAREST_NEIGHBOR;
            return List.of(c.emit(op, List.of(c.input(0), int32(c, 1, "size")), attrs(
                    "align_corners", c.boolAttr("align_corners", false), "half_pixel_centers", c.boolAttr("half_pixel_centers", false))));
        };
        rule("ResizeBilinear", resize);
        rule("ResizeNearestNeighbor", resize);
        rule("SelectV2", c -> List.of(select(c)));
        rule("Select", c -> {
            // Select broadcasts a vector condition over the first dimension, SelectV2 numpy-style: the same only when
            // the condition has the operands' shape.
            if (!c.input(0).shape().equals(c.input(1).shape())) throw c.unsupported("Select with a condition of another shape");
            return List.of(select(c));
        });
        rule("ReverseV2", c -> {
            // TFLite's kernel reverses one axis per op.
            Value x = c.input(0);
            for (int axis : c.constantInput(1, "axis").ints()) {
                x = c.emit(Op.REVERSE_V2, x, c.constant("axis", Constant.ofInts(axis)));
            }
            return List.of(x);
        });
        for (String warp : List.of("ImageProjectiveTransformV2", "ImageProjectiveTransformV3")) {
            rule(warp, c -> {
                throw c.unsupported(c.opType() + " (an image warp, such as keras.ops.image.affine_transform, outside a"
                        + " random augmentation layer), which TFLite has no op for");
            });
        }
    }

    /** Select between two tensors; the same tensor on both sides needs no condition at all. */
    private static Value select(LoweringContext c) {
        Value a = c.input(1), b = c.input(2);
        return a == b ? a : c.emit(Op.SELECT_V2, c.input(0), a, b);
    }

    /** x / y, and 0 where y is 0 (tf.math.divide_no_nan). */
    private static List<Value> divNoNan(LoweringContext c) {
        Value x = c.input(0), y = c.input(1);
        Value zero = c.constant("zero", Constant.ofFloats(Shape.SCALAR, new float[] {0}).castTo(y.dtype()));
        if (!y.isConstant()) {
            // The division may give Inf or NaN where y is 0; the select never lets them through.
            Value quotient = c.emit(Op.DIV, x, y);
            return List.of(c.emit(Op.SELECT_V2, c.emit(Op.NOT_EQUAL, y, zero), quotient, zero));
        }
        float[] divisor = y.data().floats();
        boolean anyZero = false;
        float[] mask = new float[divisor.length];
        for (int i = 0; i < divisor.length; i++) {
            anyZero |= divisor[i] == 0;
            mask[i] = divisor[i] == 0 ? 0 : 1;
            if (divisor[i] == 0) divisor[i] = 1;
        }
        Value quotient = c.emit(Op.DIV, x, c.constant("divisor", Constant.ofFloats(y.shape(), divisor).castTo(y.dtype())));
        if (!anyZero) return List.of(quotient);
        return List.of(c.emit(Op.MUL, quotient, c.constant("mask", Constant.ofFloats(y.shape(), mask).castTo(y.dtype()))));
    }

    private static Value int32(LoweringContext c, int input, String role) {
        return c.constant(role, c.constantInput(input, role).castTo(DType.INT32));
    }

    private static Value reshapeTo(LoweringContext c, Value x, int[] dims) {
        Value shape = c.constant("shape", Constant.ofInts(dims));
        return c.emit(Op.RESHAPE, x, shape);
    }

    private static Constant zerosLike(Value like, float fill) {
        float[] v = new float[(int) like.shape().elementCount()];
        Arrays.fill(v, fill);
        return Constant.ofFloats(like.shape(), v).castTo(like.dtype());
    }
}
