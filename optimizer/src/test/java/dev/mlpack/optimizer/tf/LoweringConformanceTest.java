package dev.mlpack.optimizer.tf;

import static dev.mlpack.optimizer.testing.TfNodes.attrs;
import static dev.mlpack.optimizer.testing.TfNodes.longs;
import static dev.mlpack.optimizer.testing.TfNodes.node;
import static dev.mlpack.optimizer.testing.TfNodes.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.ops.OpRegistry;
import dev.mlpack.optimizer.reference.SavedModelRunner;
import dev.mlpack.optimizer.testing.Fidelity;
import dev.mlpack.optimizer.testing.TfNodes;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Every TF op the importer knows, on its own, in a SavedModel built with TF Java: the converted .tflite computes what
 * TensorFlow computes for that SavedModel (max|a−b|/max|b| ≤ {@value #TOLERANCE}, {@link SavedModelRunner} being
 * TensorFlow's own run), with the output shape TensorFlow infers; or, for an op mlpack refuses, the conversion stops
 * with one line naming it. A TF op the importer learns without a case here fails {@link #everyOpTheImporterKnowsHasACase}.
 */
class LoweringConformanceTest {
    /** The float fidelity mlpack promises, on values of the order of 10. */
    static final double TOLERANCE = 1e-5;

    /** The tiny models' [1, 4, 4, 3] input: distinct values in [0, 11.75], so that a wrong index or axis shows. */
    static final float[] IMAGE = new float[48];

    static {
        for (int i = 0; i < IMAGE.length; i++) IMAGE[i] = (i * 37 % 48) / 4f;
    }

    @TempDir Path tmp;

    /**
     * One TF op under test: {@code op} is the op type the SavedModel must hold; {@code refusal} is null when the
     * conversion must match TensorFlow, else a part of the one-line message it must stop with. A body that makes
     * variables other than TF Java's own gets them restored by a saver of its own ({@code ownSaver}).
     */
    record Case(String op, String variant, TinySavedModels.BodyWithVariables body, boolean ownSaver, String refusal) {
        static Case of(String op, String variant, TinySavedModels.Body body) {
            return new Case(op, variant, (tf, x, variables) -> body.apply(tf, x), false, null);
        }

        static Case of(String op, TinySavedModels.Body body) { return of(op, "", body); }

        static Case withVariables(String op, String variant, TinySavedModels.BodyWithVariables body) {
            return new Case(op, variant, body, true, null);
        }

        static Case refused(String op, String message, TinySavedModels.Body body) {
            return new Case(op, "", (tf, x, variables) -> body.apply(tf, x), false, message);
        }

        @Override
        public String toString() { return variant.isEmpty() ? op : op + " (" + variant + ")"; }
    }

    private static Operand<TInt32> ints(Ops tf, int... v) { return tf.constant(v); }

    private static Operand<TFloat32> scalar(Ops tf, float v) { return tf.constant(v); }

    private static Operand<TFloat32> unary(Ops tf, String op, Operand<TFloat32> x) { return node(tf, op, x); }

    private static Operand<TFloat32> binary(Ops tf, String op, Operand<TFloat32> x, Operand<TFloat32> y) { return node(tf, op, x, y); }

    /** x + 1: strictly positive, for the ops defined there. */
    private static Operand<TFloat32> positive(Ops tf, Operand<TFloat32> x) { return tf.math.add(x, scalar(tf, 1f)); }

    /** x / 4 − 1.5: both signs, for the ops that differ on them. */
    private static Operand<TFloat32> centred(Ops tf, Operand<TFloat32> x) {
        return tf.math.sub(tf.math.mul(x, scalar(tf, 0.25f)), scalar(tf, 1.5f));
    }

    private static Operand<TFloat32> toFloat(Ops tf, Operand<?> v) { return node(tf, "Cast", attrs("DstT", DataType.DT_FLOAT), v); }

    private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, String padding, Object... more) {
        List<Object> a = new ArrayList<>(List.of("strides", longs(1, 1, 1, 1), "padding", padding));
        a.addAll(List.of(more));
        return node(tf, "Conv2D", attrs(a.toArray()), x, weights(tf, 3, 3, 3, 4));
    }

    private static Operand<TFloat32> depthwise(Ops tf, Operand<TFloat32> x, String padding, Object... more) {
        List<Object> a = new ArrayList<>(List.of("strides", longs(1, 1, 1, 1), "padding", padding));
        a.addAll(List.of(more));
        return node(tf, "DepthwiseConv2dNative", attrs(a.toArray()), x, weights(tf, 3, 3, 3, 2));
    }

    /** Keras' Conv2DTranspose: the input gradient of a 3x3 convolution from 2 channels to the image's 3. */
    private static Operand<TFloat32> transposedConv(Ops tf, Operand<TFloat32> x, String padding, int stride, int size) {
        return node(tf, "Conv2DBackpropInput", attrs("strides", longs(1, stride, stride, 1), "padding", padding),
                ints(tf, 1, size, size, 2), weights(tf, 3, 3, 2, 3), x);
    }

    private static Operand<TFloat32> fusedBatchNorm(Ops tf, String op, Operand<TFloat32> x) {
        return node(tf, op, attrs("epsilon", 0.01f, "is_training", false), x, tf.constant(new float[] {1.5f, 0.5f, 2f}),
                tf.constant(new float[] {0.1f, -0.2f, 0.3f}), tf.constant(new float[] {5f, 6f, 4f}), tf.constant(new float[] {9f, 4f, 16f}));
    }

    /** The image as a [1, 16, 3] sequence, for the matrix products. */
    private static Operand<TFloat32> sequence(Ops tf, Operand<TFloat32> x) { return tf.reshape(x, ints(tf, 1, 16, 3)); }

    private static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) { return tf.reshape(x, ints(tf, 1, 48)); }

    private static Operand<TFloat32> reduce(Ops tf, String op, Operand<TFloat32> x, boolean keepDims) {
        return node(tf, op, attrs("keep_dims", keepDims), x, ints(tf, 1, 2));
    }

    private static Operand<TFloat32> resize(Ops tf, String op, Operand<TFloat32> x, boolean alignCorners, boolean halfPixel) {
        return node(tf, op, attrs("align_corners", alignCorners, "half_pixel_centers", halfPixel), x, ints(tf, 7, 6));
    }

    private static Operand<TFloat32> pool(Ops tf, String op, Operand<TFloat32> x, int size, int stride, String padding) {
        return node(tf, op, attrs("ksize", longs(1, size, size, 1), "strides", longs(1, stride, stride, 1), "padding", padding), x);
    }

    /** A function of one float argument, called by a {@code callOp} node: TF 2's way to call a layer. */
    private static Operand<TFloat32> call(Ops tf, String callOp, Operand<TFloat32> x) {
        ConcreteFunction twice = ConcreteFunction.create(f -> {
            Operand<TFloat32> in = f.placeholder(TFloat32.class);
            return Signature.builder().key("twice").input("x", in).output("y", f.math.mul(in, f.constant(2f))).build();
        });
        return node(tf, callOp, attrs("f", twice, "Tin", new DataType[] {DataType.DT_FLOAT}, "Tout", new DataType[] {DataType.DT_FLOAT}),
                List.of(x));
    }

    /** The exact GELU as TF writes it: 0.5·x·(1 + erf(x/√2)), or 0.5·x·erfc(−x/√2). */
    private static Operand<TFloat32> gelu(Ops tf, String core, Operand<TFloat32> x) {
        Operand<TFloat32> halfX = tf.math.mul(x, scalar(tf, 0.5f));
        float invSqrt2 = (float) (1 / Math.sqrt(2));
        Operand<TFloat32> onePlusErf = core.equals("Erf")
                ? tf.math.add(unary(tf, "Erf", tf.math.mul(x, scalar(tf, invSqrt2))), scalar(tf, 1f))
                : unary(tf, "Erfc", tf.math.mul(tf.math.neg(x), scalar(tf, invSqrt2)));
        return tf.math.mul(halfX, onePlusErf);
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("Const", (tf, x) -> tf.math.mul(x, weights(tf, 1, 4, 4, 3))));
        c.add(Case.of("NoOp", "a control dependency", (tf, x) -> tf.withControlDependencies(tf.noOp()).math.mul(x, scalar(tf, 2f))));
        for (String op : List.of("Identity", "StopGradient", "Snapshot", "PreventGradient")) {
            c.add(Case.of(op, (tf, x) -> tf.math.mul(unary(tf, op, x), scalar(tf, 2f))));
        }
        c.add(Case.of("EnsureShape", (tf, x) -> tf.math.mul(node(tf, "EnsureShape", attrs("shape", Shape.of(-1, 4, 4, 3)), x), scalar(tf, 2f))));
        c.add(Case.of("CheckNumerics", (tf, x) -> tf.math.mul(node(tf, "CheckNumerics", attrs("message", "nan"), x), scalar(tf, 2f))));
        c.add(Case.of("PlaceholderWithDefault", (tf, x) -> tf.math.mul(node(tf, "PlaceholderWithDefault",
                attrs("shape", Shape.of(-1, 4, 4, 3)), x), scalar(tf, 2f))));
        c.add(Case.of("IdentityN", (tf, x) -> tf.math.mul(node(tf, "IdentityN", List.of(x, weights(tf, 3))), scalar(tf, 2f))));

        c.add(Case.of("Conv2D", "SAME", (tf, x) -> conv(tf, x, "SAME")));
        c.add(Case.of("Conv2D", "VALID, stride 2", (tf, x) -> node(tf, "Conv2D", attrs("strides", longs(1, 2, 2, 1), "padding", "VALID"),
                x, weights(tf, 2, 2, 3, 5))));
        c.add(Case.of("Conv2D", "dilated", (tf, x) -> conv(tf, x, "SAME", "dilations", longs(1, 2, 2, 1))));
        c.add(Case.of("Conv2D", "EXPLICIT padding", (tf, x) -> conv(tf, x, "EXPLICIT", "explicit_paddings", longs(0, 0, 1, 2, 2, 0, 0, 0))));
        c.add(Case.of("DepthwiseConv2dNative", "SAME, multiplier 2", (tf, x) -> depthwise(tf, x, "SAME")));
        c.add(Case.of("DepthwiseConv2dNative", "dilated", (tf, x) -> depthwise(tf, x, "SAME", "dilations", longs(1, 2, 2, 1))));
        c.add(Case.of("DepthwiseConv2dNative", "EXPLICIT padding", (tf, x) -> depthwise(tf, x, "EXPLICIT",
                "explicit_paddings", longs(0, 0, 1, 1, 0, 2, 0, 0))));
        c.add(Case.of("Conv2DBackpropInput", "SAME, stride 2", (tf, x) -> transposedConv(tf, x, "SAME", 2, 8)));
        c.add(Case.of("Conv2DBackpropInput", "VALID, stride 1", (tf, x) -> transposedConv(tf, x, "VALID", 1, 6)));
        c.add(Case.refused("Conv2DBackpropInput", "dilated", (tf, x) -> node(tf, "Conv2DBackpropInput", attrs("strides", longs(1, 1, 1, 1),
                "padding", "SAME", "dilations", longs(1, 2, 2, 1)), ints(tf, 1, 4, 4, 2), weights(tf, 3, 3, 2, 3), x)));
        c.add(Case.of("MatMul", "constant weights", (tf, x) -> node(tf, "MatMul", flat(tf, x), weights(tf, 48, 5))));
        c.add(Case.of("MatMul", "transposed weights", (tf, x) -> node(tf, "MatMul", attrs("transpose_b", true), flat(tf, x), weights(tf, 5, 48))));
        c.add(Case.of("MatMul", "two activations", (tf, x) -> node(tf, "MatMul", attrs("transpose_b", true), flat(tf, x), flat(tf, x))));
        c.add(Case.of("BatchMatMul", (tf, x) -> node(tf, "BatchMatMul", sequence(tf, x), tf.reshape(weights(tf, 3, 5), ints(tf, 1, 3, 5)))));
        c.add(Case.of("BatchMatMulV2", "dense on a sequence", (tf, x) -> node(tf, "BatchMatMulV2", sequence(tf, x), weights(tf, 3, 5))));
        c.add(Case.of("BatchMatMulV2", "two activations", (tf, x) -> node(tf, "BatchMatMulV2", attrs("adj_y", true), sequence(tf, x),
                sequence(tf, x))));
        c.add(Case.of("BatchMatMulV3", (tf, x) -> node(tf, "BatchMatMulV3", attrs("Tout", DataType.DT_FLOAT, "adj_y", true),
                sequence(tf, x), weights(tf, 5, 3))));
        c.add(Case.of("BiasAdd", (tf, x) -> node(tf, "BiasAdd", x, weights(tf, 3))));
        for (String op : List.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")) c.add(Case.of(op, (tf, x) -> fusedBatchNorm(tf, op, x)));

        for (String op : List.of("Relu", "Relu6", "Sigmoid", "Tanh", "Neg", "Abs", "Square")) {
            c.add(Case.of(op, (tf, x) -> unary(tf, op, centred(tf, x))));
        }
        for (String op : List.of("Rsqrt", "Sqrt", "Log")) c.add(Case.of(op, (tf, x) -> unary(tf, op, positive(tf, x))));
        c.add(Case.of("Exp", (tf, x) -> unary(tf, "Exp", centred(tf, x))));
        c.add(Case.of("Erf", "in an exact GELU", (tf, x) -> gelu(tf, "Erf", centred(tf, x))));
        c.add(Case.of("Erfc", "in an exact GELU", (tf, x) -> gelu(tf, "Erfc", centred(tf, x))));
        c.add(Case.of("Elu", (tf, x) -> unary(tf, "Elu", centred(tf, x))));
        c.add(Case.of("LeakyRelu", (tf, x) -> node(tf, "LeakyRelu", attrs("alpha", 0.1f), centred(tf, x))));
        c.add(Case.of("Softmax", (tf, x) -> unary(tf, "Softmax", centred(tf, x))));
        for (String op : List.of("Add", "AddV2", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference")) {
            c.add(Case.of(op, "with a constant", (tf, x) -> binary(tf, op, x, weights(tf, 3))));
            c.add(Case.of(op, "of two activations", (tf, x) -> binary(tf, op, x, centred(tf, x))));
        }
        for (String op : List.of("RealDiv", "Div")) {
            c.add(Case.of(op, "by a constant", (tf, x) -> binary(tf, op, x, tf.constant(new float[] {2f, -4f, 0.5f}))));
            c.add(Case.of(op, "by an activation", (tf, x) -> binary(tf, op, x, positive(tf, x))));
        }
        c.add(Case.of("DivNoNan", "by a constant with a zero", (tf, x) -> binary(tf, "DivNoNan", x, tf.constant(new float[] {2f, 0f, 4f}))));
        c.add(Case.of("DivNoNan", "by an activation", (tf, x) -> binary(tf, "DivNoNan", x, unary(tf, "Relu", centred(tf, x)))));
        c.add(Case.of("Pow", (tf, x) -> binary(tf, "Pow", positive(tf, x), scalar(tf, 1.5f))));

        for (String op : List.of("Mean", "Sum", "Max", "Prod")) {
            c.add(Case.of(op, "keep_dims", (tf, x) -> reduce(tf, op, op.equals("Prod") ? tf.math.mul(positive(tf, x), scalar(tf, 0.5f)) : x, true)));
            c.add(Case.of(op, "dropping the axes", (tf, x) -> reduce(tf, op, op.equals("Prod") ? tf.math.mul(positive(tf, x), scalar(tf, 0.5f)) : x, false)));
        }
        c.add(Case.of("MaxPool", "2x2 VALID stride 2", (tf, x) -> pool(tf, "MaxPool", x, 2, 2, "VALID")));
        c.add(Case.of("MaxPool", "3x3 SAME", (tf, x) -> pool(tf, "MaxPool", x, 3, 1, "SAME")));
        c.add(Case.of("AvgPool", "3x3 SAME", (tf, x) -> pool(tf, "AvgPool", x, 3, 1, "SAME")));
        c.add(Case.of("AvgPool", "2x2 VALID stride 2", (tf, x) -> pool(tf, "AvgPool", x, 2, 2, "VALID")));

        c.add(Case.of("Pad", (tf, x) -> node(tf, "Pad", x, tf.constant(new int[][] {{0, 0}, {1, 2}, {0, 1}, {0, 0}}))));
        c.add(Case.of("PadV2", "with a value", (tf, x) -> node(tf, "PadV2", x, tf.constant(new int[][] {{0, 0}, {1, 0}, {2, 1}, {0, 0}}),
                scalar(tf, 1.5f))));
        c.add(Case.of("PadV2", "with zero", (tf, x) -> node(tf, "PadV2", x, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}),
                scalar(tf, 0f))));
        c.add(Case.of("ConcatV2", (tf, x) -> node(tf, "ConcatV2", List.of(x, centred(tf, x)), tf.constant(3))));
        c.add(Case.of("Pack", (tf, x) -> node(tf, "Pack", attrs("axis", 3), List.of(x, centred(tf, x)))));
        c.add(Case.of("Reshape", (tf, x) -> tf.reshape(x, ints(tf, 1, 8, 6))));
        c.add(Case.of("Squeeze", (tf, x) -> node(tf, "Squeeze", attrs("squeeze_dims", longs(1, 2)), reduce(tf, "Mean", x, true))));
        c.add(Case.of("Squeeze", "every dimension of size 1", (tf, x) -> node(tf, "Squeeze", reduce(tf, "Mean", x, true))));
        c.add(Case.of("ExpandDims", (tf, x) -> node(tf, "ExpandDims", x, tf.constant(-1))));
        c.add(Case.of("Shape", "of a reshape", (tf, x) -> tf.reshape(tf.reshape(x, ints(tf, 1, 48)), node(tf, "Shape", x))));
        c.add(Case.of("Size", (tf, x) -> tf.math.mul(x, toFloat(tf, node(tf, "Size", x)))));
        c.add(Case.of("Rank", (tf, x) -> tf.math.mul(x, toFloat(tf, node(tf, "Rank", x)))));
        c.add(Case.of("StridedSlice", "with masks", (tf, x) -> node(tf, "StridedSlice", attrs("begin_mask", 9, "end_mask", 9),
                x, ints(tf, 0, 1, 0, 0), ints(tf, 0, 3, 4, 0), ints(tf, 1, 1, 2, 1))));
        c.add(Case.of("StridedSlice", "shrinking an axis", (tf, x) -> node(tf, "StridedSlice", attrs("begin_mask", 13, "end_mask", 13,
                "shrink_axis_mask", 2), x, ints(tf, 0, 2, 0, 0), ints(tf, 0, 3, 0, 0), ints(tf, 1, 1, 1, 1))));
        c.add(Case.of("Slice", (tf, x) -> node(tf, "Slice", x, ints(tf, 0, 1, 1, 0), ints(tf, 1, 2, 3, 2))));
        c.add(Case.of("Transpose", (tf, x) -> node(tf, "Transpose", x, ints(tf, 0, 3, 1, 2))));
        c.add(Case.of("Cast", "to int32 and back", (tf, x) -> toFloat(tf, node(tf, "Cast", attrs("DstT", DataType.DT_INT32), centred(tf, x)))));
        c.add(Case.of("Fill", "with a computed value", (tf, x) -> tf.math.add(x, node(tf, "Fill", ints(tf, 1, 4, 4, 3),
                node(tf, "Mean", x, ints(tf, 0, 1, 2, 3))))));
        c.add(Case.of("ZerosLike", (tf, x) -> tf.math.add(x, unary(tf, "ZerosLike", x))));
        c.add(Case.of("OnesLike", (tf, x) -> tf.math.mul(x, tf.math.add(unary(tf, "OnesLike", x), unary(tf, "OnesLike", x)))));
        c.add(Case.of("Range", (tf, x) -> tf.math.mul(x, toFloat(tf, node(tf, "Range", tf.constant(1), tf.constant(7), tf.constant(2))))));
        c.add(Case.of("GatherV2", (tf, x) -> node(tf, "GatherV2", x, ints(tf, 2, 0, 1, 1), tf.constant(3))));
        c.add(Case.of("ResizeBilinear", (tf, x) -> resize(tf, "ResizeBilinear", x, false, false)));
        c.add(Case.of("ResizeBilinear", "half-pixel centres", (tf, x) -> resize(tf, "ResizeBilinear", x, false, true)));
        c.add(Case.of("ResizeBilinear", "aligned corners", (tf, x) -> resize(tf, "ResizeBilinear", x, true, false)));
        c.add(Case.of("ResizeNearestNeighbor", (tf, x) -> resize(tf, "ResizeNearestNeighbor", x, false, false)));
        c.add(Case.of("ResizeNearestNeighbor", "half-pixel centres", (tf, x) -> resize(tf, "ResizeNearestNeighbor", x, false, true)));
        c.add(Case.of("SelectV2", "a channel mask", (tf, x) -> node(tf, "SelectV2", tf.constant(new boolean[] {true, false, true}), x,
                centred(tf, x))));
        c.add(Case.of("SelectV2", "the same tensor on both sides", (tf, x) -> node(tf, "SelectV2",
                tf.constant(new boolean[] {true, false, true}), x, x)));
        c.add(Case.of("Select", (tf, x) -> {
            boolean[][][][] mask = new boolean[1][4][4][3];
            for (int i = 0; i < 48; i++) mask[0][i / 12][i / 3 % 4][i % 3] = i % 5 < 2;
            return node(tf, "Select", tf.constant(mask), x, centred(tf, x));
        }));
        c.add(Case.of("ReverseV2", "two axes", (tf, x) -> node(tf, "ReverseV2", x, ints(tf, 1, 2))));
        c.add(Case.refused("ImageProjectiveTransformV2", "ImageProjectiveTransformV2", (tf, x) -> node(tf, "ImageProjectiveTransformV2",
                attrs("interpolation", "BILINEAR"), x, tf.constant(new float[][] {{1, 0, 1, 0, 1, 0, 0, 0}}), ints(tf, 4, 4))));
        c.add(Case.refused("ImageProjectiveTransformV3", "ImageProjectiveTransformV3", (tf, x) -> node(tf, "ImageProjectiveTransformV3",
                attrs("interpolation", "BILINEAR"), x, tf.constant(new float[][] {{1, 0, 1, 0, 1, 0, 0, 0}}), ints(tf, 4, 4),
                scalar(tf, 0f))));

        c.add(Case.refused("Placeholder", "placeholder 'other'", (tf, x) -> tf.math.add(x, tf.withName("other").placeholder(TFloat32.class))));
        c.add(Case.of("VariableV2", (tf, x) -> tf.math.mul(x, tf.variable(weights(tf, 3)))));
        c.add(Case.withVariables("VarHandleOp", "a resource variable", (tf, x, v) -> tf.math.mul(x, v.resource("kernel", 0.5f, -2f, 3f))));
        c.add(Case.withVariables("ReadVariableOp", "read twice", (tf, x, v) -> {
            Operand<TFloat32> bias = v.resource("bias", 0.25f, 1f, -1f);
            return tf.math.add(tf.math.mul(x, bias), bias);
        }));
        c.add(Case.withVariables("Variable", "TF 1's oldest variable", (tf, x, v) -> tf.math.mul(x, v.legacy("kernel", 0.5f, -2f, 3f))));
        c.add(Case.of("PartitionedCall", (tf, x) -> call(tf, "PartitionedCall", x)));
        c.add(Case.of("StatefulPartitionedCall", (tf, x) -> call(tf, "StatefulPartitionedCall", x)));
        return c;
    }

    static Stream<Case> allCases() { return cases().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void convertsAsTensorFlowComputes(Case c) throws IOException {
        long[][] tfShape = new long[1][];
        TinySavedModels.BodyWithVariables recordingShape = (tf, x, variables) -> {
            Operand<TFloat32> y = c.body().apply(tf, x, variables);
            tfShape[0] = y.shape().asArray(); // null when TF cannot tell the rank
            return y;
        };
        Path model = c.ownSaver() ? TinySavedModels.exportWithVariables(tmp.resolve("model"), recordingShape)
                : TinySavedModels.export(tmp.resolve("model"), (tf, x) -> recordingShape.apply(tf, x, null));
        assertTrue(TfNodes.opTypes(model).contains(c.op()), c + ": the SavedModel holds no " + c.op() + " node: "
                + TfNodes.opTypes(model));
        Path out = tmp.resolve("model.tflite");
        ConversionRequest request = ConversionRequest.builder(model, out).preprocess(Preprocess.RAW).build();
        if (c.refusal() != null) {
            ConversionException e = assertThrows(ConversionException.class, () -> Converter.convert(request));
            assertEquals(2, e.kind().exitCode(), c + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c.refusal()) && !e.getMessage().contains("\n"), c + ": " + e.getMessage());
            return;
        }
        Converter.convert(request);

        float[] expected;
        try (SavedModelRunner tensorFlow = SavedModelRunner.load(model, null)) {
            expected = tensorFlow.run(IMAGE, 1, 4, 4, 3);
        }
        try (TfliteModel m = TfliteModel.load(out); TfliteInterpreter tflite = m.newInterpreter(InterpreterOptions.defaults().withThreads(1))) {
            tflite.setInput(0, IMAGE);
            tflite.invoke();
            float[] actual = tflite.outputFloats(0);
            double error = Fidelity.relativeMaxError(actual, expected);
            assertTrue(error <= TOLERANCE, c + ": max|a-b|/max|b| = " + error + "\n tflite " + Arrays.toString(actual)
                    + "\n tensorflow " + Arrays.toString(expected));
            int[] shape = tflite.output(0).shape();
            if (tfShape[0] == null) return;
            assertEquals(tfShape[0].length, shape.length, c + ": output rank " + Arrays.toString(shape) + " vs TF's " + Arrays.toString(tfShape[0]));
            for (int i = 0; i < shape.length; i++) {
                long tfDim = i == 0 && tfShape[0][0] < 0 ? 1 : tfShape[0][i]; // the batch: one image
                if (tfDim >= 0) assertEquals(tfDim, shape[i], c + ": output shape " + Arrays.toString(shape) + " vs TF's " + Arrays.toString(tfShape[0]));
            }
        }
    }

    @Test
    void everyOpTheImporterKnowsHasACase() {
        Set<String> covered = cases().stream().map(Case::op).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(SavedModelImporter.knownOps(OpRegistry.tfLowerings()));
        missing.removeAll(covered);
        assertEquals(Set.of(), missing, "TF ops the importer converts or refuses without a case in " + getClass().getSimpleName());
        Set<String> stale = new TreeSet<>(covered);
        stale.removeAll(SavedModelImporter.knownOps(OpRegistry.tfLowerings()));
        assertEquals(Set.of(), stale, "cases for TF ops the importer does not know");
    }
}
