package dev.mlpack.optimizer.ops;

import static dev.mlpack.optimizer.ops.Lowerings.paddedInput;
import static dev.mlpack.optimizer.ops.Lowerings.padding;
import static dev.mlpack.optimizer.ops.Lowerings.requireNhwc;
import static dev.mlpack.optimizer.ops.Lowerings.spatial;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.ConstantMath;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Encoding.Precision;
import dev.mlpack.optimizer.ir.FusedActivation;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.OperandRoles;
import dev.mlpack.optimizer.ir.Padding;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.ir.TensorType;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ir.Window;
import dev.mlpack.optimizer.ir.WindowAttrs;
import dev.mlpack.optimizer.tf.LoweringContext;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.lite.schema.BatchMatMulOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.TransposeConvOptions;

/**
 * Ops with weights: convolutions, transposed convolution, fully connected and batch matrix products; and the TF ops
 * that become them, with BiasAdd and BatchNormalization, which fold into them.
 */
public final class Linear {
    private Linear() {}

    /** CONV_2D: x, filter (OHWI), bias. */
    public record ConvAttrs(int[] strides, int[] dilations, Padding padding, Activation activation) implements WindowAttrs, FusedActivation {
        @Override public ConvAttrs withActivation(Activation a) { return new ConvAttrs(strides, dilations, padding, a); }
    }

    /** DEPTHWISE_CONV_2D: x, filter (1, H, W, C·M), bias. */
    public record DepthwiseAttrs(int[] strides, int[] dilations, Padding padding, int depthMultiplier, Activation activation)
            implements WindowAttrs, FusedActivation {
        @Override public DepthwiseAttrs withActivation(Activation a) {
            return new DepthwiseAttrs(strides, dilations, padding, depthMultiplier, a);
        }
    }

    /** TRANSPOSE_CONV: output shape (int32 [4]), filter (OHWI), x, bias. */
    public record TransposeConvAttrs(int[] strides, Padding padding) implements Attrs {}

    /** FULLY_CONNECTED: x [.., K], weights [M, K], bias; {@code keepNumDims} keeps x's leading dimensions. */
    public record FullyConnectedAttrs(boolean keepNumDims, Activation activation) implements FusedActivation {
        @Override public FullyConnectedAttrs withActivation(Activation a) { return new FullyConnectedAttrs(keepNumDims, a); }
    }

    /** BATCH_MATMUL: x, y; adjoints as TF's. */
    public record BatchMatMulAttrs(boolean adjX, boolean adjY) implements Attrs {}

    public static final OpSpec<ConvAttrs> CONV_2D = OpSpec.builder("CONV_2D", BuiltinOperator.CONV_2D, ConvAttrs.class)
            .shape((n, a) -> window(n, a, n.input(1).shape().dim(1), n.input(1).shape().dim(2), n.input(1).shape().dim(0)))
            .int8(Int8Spec.INDEPENDENT).roles(OperandRoles.linear(0, 1, 0, 2).withRequiredBias())
            .encoding(Encoding.withOptions(BuiltinOptions.Conv2DOptions, (fb, n, a) -> Conv2DOptions.createConv2DOptions(fb,
                    a.padding().tfliteCode, a.strides()[1], a.strides()[0], a.activation().tfliteCode, a.dilations()[1], a.dilations()[0]),
                    (n, a, p) -> p == Precision.HYBRID ? 5 : p == Precision.INT8 ? 3 : 1))
            .build();

    public static final OpSpec<DepthwiseAttrs> DEPTHWISE_CONV_2D = OpSpec.builder("DEPTHWISE_CONV_2D", BuiltinOperator.DEPTHWISE_CONV_2D,
                    DepthwiseAttrs.class)
            .shape((n, a) -> window(n, a, n.input(1).shape().dim(1), n.input(1).shape().dim(2), n.input(1).shape().dim(3)))
            .int8(Int8Spec.INDEPENDENT).roles(OperandRoles.linear(0, 1, 3, 2).withRequiredBias())
            .encoding(Encoding.withOptions(BuiltinOptions.DepthwiseConv2DOptions, (fb, n, a) ->
                    DepthwiseConv2DOptions.createDepthwiseConv2DOptions(fb, a.padding().tfliteCode, a.strides()[1], a.strides()[0],
                            a.depthMultiplier(), a.activation().tfliteCode, a.dilations()[1], a.dilations()[0]),
                    (n, a, p) -> p == Precision.HYBRID ? 6 : p == Precision.INT8 ? 3 : a.dilations()[0] != 1 || a.dilations()[1] != 1 ? 2 : 1))
            .build();

    public static final OpSpec<TransposeConvAttrs> TRANSPOSE_CONV = OpSpec.builder("TRANSPOSE_CONV", BuiltinOperator.TRANSPOSE_CONV,
                    TransposeConvAttrs.class)
            .shape((n, a) -> ShapeRules.one(DType.FLOAT32, n.input(0).data().ints()))
            .int8(Int8Spec.INDEPENDENT).roles(OperandRoles.linear(2, 1, 0, 3))
            .encoding(Encoding.withOptions(BuiltinOptions.TransposeConvOptions, (fb, n, a) ->
                    TransposeConvOptions.createTransposeConvOptions(fb, a.padding().tfliteCode, a.strides()[1], a.strides()[0],
                            Activation.NONE.tfliteCode),
                    (n, a, p) -> n.input(3) != null ? 3 : p == Precision.INT8 ? 2 : 1))
            .build();

    public static final OpSpec<FullyConnectedAttrs> FULLY_CONNECTED = OpSpec.builder("FULLY_CONNECTED", BuiltinOperator.FULLY_CONNECTED,
                    FullyConnectedAttrs.class)
            .shape(Linear::fullyConnectedShape)
            .int8(Int8Spec.INDEPENDENT).roles(OperandRoles.linear(0, 1, 0, 2))
            .encoding(Encoding.withOptions(BuiltinOptions.FullyConnectedOptions, (fb, n, a) ->
                    FullyConnectedOptions.createFullyConnectedOptions(fb, a.activation().tfliteCode, (byte) 0, a.keepNumDims(), false),
                    (n, a, p) -> p == Precision.HYBRID ? 12 : n.input(2) == null ? 6 : a.keepNumDims() ? 5 : p == Precision.INT8 ? 4 : 1))
            .build();

    public static final OpSpec<BatchMatMulAttrs> BATCH_MATMUL = OpSpec.builder("BATCH_MATMUL", BuiltinOperator.BATCH_MATMUL,
                    BatchMatMulAttrs.class)
            .shape(Linear::batchMatMulShape)
            .int8(Int8Spec.INDEPENDENT)
            .encoding(Encoding.withOptions(BuiltinOptions.BatchMatMulOptions, (fb, n, a) ->
                    BatchMatMulOptions.createBatchMatMulOptions(fb, a.adjX(), a.adjY(), false)))
            .build();

    public static List<OpSpec<?>> specs() { return List.of(CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, BATCH_MATMUL); }

    // ---- shape rules ------------------------------------------------------------------------------------------

    private static TensorType[] window(Node n, WindowAttrs a, int kh, int kw, int channels) {
        int[] x = n.input(0).shape().dims(), s = a.strides(), d = a.dilations();
        return ShapeRules.one(DType.FLOAT32, x[0], Window.outputLength(x[1], kh, s[0], d[0], a.padding()),
                Window.outputLength(x[2], kw, s[1], d[1], a.padding()), channels);
    }

    private static TensorType[] fullyConnectedShape(Node n, FullyConnectedAttrs a) {
        int[] x = n.input(0).shape().dims(), w = n.input(1).shape().dims();
        if (a.keepNumDims()) {
            int[] out = x.clone();
            out[out.length - 1] = w[0];
            return ShapeRules.one(DType.FLOAT32, out);
        }
        long rows = n.input(0).shape().elementCount() / w[1];
        return ShapeRules.one(DType.FLOAT32, (int) rows, w[0]);
    }

    private static TensorType[] batchMatMulShape(Node n, BatchMatMulAttrs a) {
        int[] x = n.input(0).shape().dims(), y = n.input(1).shape().dims();
        int rows = a.adjX() ? x[x.length - 1] : x[x.length - 2];
        int cols = a.adjY() ? y[y.length - 2] : y[y.length - 1];
        int[] batch = ShapeRules.broadcastDims(Arrays.copyOf(x, x.length - 2), Arrays.copyOf(y, y.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return ShapeRules.one(DType.FLOAT32, out);
    }

    // ---- TF lowerings -----------------------------------------------------------------------------------------

    static void lowerings(LoweringTable t) {
        t.add("Conv2D", c -> {
            requireNhwc(c);
            Value x = paddedInput(c, 0);
            // TF keeps filters as HWIO; TFLite wants OHWI.
            Constant filter = ConstantMath.transpose(c.constantInput(1, "filter"), 3, 0, 1, 2);
            return List.of(c.emit(CONV_2D, List.of(x, c.constant("filter", filter)), new ConvAttrs(spatial(c.intsAttr("strides")),
                    spatial(c.intsAttr("dilations")), padding(c), Activation.NONE)));
        });
        t.add("DepthwiseConv2dNative", c -> {
            requireNhwc(c);
            Value x = paddedInput(c, 0);
            Constant f = c.constantInput(1, "filter");
            int[] d = f.shape().dims(); // H, W, C, M: flattening (C, M) gives TFLite's channel order c*M+m.
            Constant filter = f.reshaped(Shape.of(1, d[0], d[1], d[2] * d[3]));
            return List.of(c.emit(DEPTHWISE_CONV_2D, List.of(x, c.constant("filter", filter)), new DepthwiseAttrs(
                    spatial(c.intsAttr("strides")), spatial(c.intsAttr("dilations")), padding(c), d[3], Activation.NONE)));
        });
        t.add("Conv2DBackpropInput", c -> {
            // Keras' Conv2DTranspose: the gradient of a convolution with respect to its input.
            requireNhwc(c);
            if (Arrays.stream(c.intsAttr("dilations")).anyMatch(v -> v != 1)) throw c.unsupported("a dilated Conv2DTranspose");
            if (c.stringAttr("padding", "VALID").equals("EXPLICIT")) throw c.unsupported("Conv2DTranspose with explicit padding");
            // TF keeps the filter as H, W, output channels, input channels; TFLite wants O, H, W, I.
            Constant filter = ConstantMath.transpose(c.constantInput(1, "filter"), 2, 0, 1, 3);
            Value outputShape = Lowerings.int32(c, 0, "output_shape");
            return List.of(c.emit(TRANSPOSE_CONV, List.of(outputShape, c.constant("filter", filter), c.input(2)),
                    new TransposeConvAttrs(spatial(c.intsAttr("strides")), padding(c))));
        });
        t.add("MatMul", c -> {
            boolean ta = c.boolAttr("transpose_a", false), tb = c.boolAttr("transpose_b", false);
            Value b = c.input(1);
            if (!ta && b.isConstant()) {
                Constant w = tb ? b.data() : ConstantMath.transpose(b.data(), 1, 0);
                return List.of(c.emit(FULLY_CONNECTED, List.of(c.input(0), c.constant("weights", w)),
                        new FullyConnectedAttrs(false, Activation.NONE)));
            }
            return List.of(c.emit(BATCH_MATMUL, List.of(c.input(0), b), new BatchMatMulAttrs(ta, tb)));
        });
        for (String op : List.of("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")) {
            t.add(op, c -> {
                boolean adjX = c.boolAttr("adj_x", false), adjY = c.boolAttr("adj_y", false);
                Value y = c.input(1);
                if (!adjX && y.isConstant() && y.shape().rank() == 2) {
                    // Dense on a rank-3/4 tensor (ConvNeXt's pointwise layers): a fully connected op that keeps dims.
                    Constant w = adjY ? y.data() : ConstantMath.transpose(y.data(), 1, 0);
                    return List.of(c.emit(FULLY_CONNECTED, List.of(c.input(0), c.constant("weights", w)),
                            new FullyConnectedAttrs(true, Activation.NONE)));
                }
                return List.of(c.emit(BATCH_MATMUL, List.of(c.input(0), y), new BatchMatMulAttrs(adjX, adjY)));
            });
        }
        t.add("BiasAdd", c -> {
            requireNhwc(c);
            return List.of(c.emit(Elementwise.ADD, List.of(c.input(0), c.input(1)), Elementwise.FusedAttrs.NONE));
        });
        for (String op : List.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")) t.add(op, Linear::fusedBatchNorm);
    }

    /** Inference-mode batch normalization as x·scale + shift, which folds into the linear op before it. */
    private static List<Value> fusedBatchNorm(LoweringContext c) {
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
        Value y = c.emit(Elementwise.MUL, List.of(c.input(0), c.constant("scale", Constant.ofFloats(s, scale))), Elementwise.FusedAttrs.NONE);
        y = c.emit(Elementwise.ADD, List.of(y, c.constant("shift", Constant.ofFloats(s, shift))), Elementwise.FusedAttrs.NONE);
        return Arrays.asList(y, null, null, null, null, null);
    }
}
