package dev.mlpack.optimizer.tflite;

import static dev.mlpack.optimizer.testing.TfNodes.attrs;
import static dev.mlpack.optimizer.testing.TfNodes.longs;
import static dev.mlpack.optimizer.testing.TfNodes.node;
import static dev.mlpack.optimizer.testing.TfNodes.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.optimizer.testing.WrittenModel;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BatchMatMulOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.CastOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.DivOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.GatherOptions;
import org.tensorflow.lite.schema.GeluOptions;
import org.tensorflow.lite.schema.LeakyReluOptions;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.MulOptions;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.PackOptions;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.ResizeNearestNeighborOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.StridedSliceOptions;
import org.tensorflow.lite.schema.SubOptions;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.TransposeConvOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What the written file says about each op, read back with TFLite's schema classes: the builtin, the version a
 * runtime checks against its kernels (TFLite's versioning rules, which depend on the tensor types: float, float16
 * weights, int8 weights on float activations, int8), and every field of the builtin options. Each model is a TF
 * Java SavedModel converted as {@code mlpack optimize} would, so the table holds whatever the writer is made of.
 */
class OpEncodingTest {
    @TempDir Path tmp;

    /** One written op: its builtin, version and options type, and what its options must hold. */
    record Written(int builtin, int version, byte optionsType, Consumer<Operator> options) {
        @Override
        public String toString() { return BuiltinOperator.name(builtin) + " v" + version; }
    }

    /** A model, how it is converted, and ops its file must hold (among others the conversion may add). */
    record Case(String name, Quantize mode, TinySavedModels.Body body, List<Written> expected) {
        @Override
        public String toString() { return name + " (" + mode.cliName() + ")"; }
    }

    private static Written op(int builtin, int version) { return new Written(builtin, version, BuiltinOptions.NONE, o -> { }); }

    private static <T extends com.google.flatbuffers.Table> Written op(int builtin, int version, byte optionsType, T table,
                                                                          Consumer<T> check) {
        return new Written(builtin, version, optionsType, o -> {
            o.builtinOptions(table);
            check.accept(table);
        });
    }

    private static Case of(String name, Quantize mode, TinySavedModels.Body body, Written... expected) {
        return new Case(name, mode, body, List.of(expected));
    }

    private static Operand<TInt32> ints(Ops tf, int... v) { return tf.constant(v); }

    private static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) { return tf.reshape(x, ints(tf, 1, 48)); }

    private static Operand<TFloat32> sequence(Ops tf, Operand<TFloat32> x) { return tf.reshape(x, ints(tf, 1, 16, 3)); }

    private static Operand<TFloat32> centred(Ops tf, Operand<TFloat32> x) { return tf.math.sub(x, tf.constant(6f)); }

    private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, long[] strides, String padding, long[] dilations, int... filter) {
        return node(tf, "Conv2D", attrs("strides", strides, "padding", padding, "dilations", dilations), x, weights(tf, filter));
    }

    /** A 3x3 depthwise convolution with multiplier 2 of an image of {@code channels}. */
    private static Operand<TFloat32> depthwise(Ops tf, Operand<TFloat32> x, int channels, long[] strides, long[] dilations) {
        return node(tf, "DepthwiseConv2dNative", attrs("strides", strides, "padding", "SAME", "dilations", dilations), x,
                weights(tf, 3, 3, channels, 2));
    }

    /** A layer of dense weights big enough to be quantized in every mode (dynamic-range quantization skips tiny ones). */
    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> x) {
        return tf.math.add(node(tf, "MatMul", flat(tf, x), weights(tf, 48, 32)), weights(tf, 32));
    }

    private static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x, boolean tanh) {
        Operand<TFloat32> halfX = tf.math.mul(x, tf.constant(0.5f));
        Operand<TFloat32> core = tanh
                ? tf.math.tanh(tf.math.mul(tf.math.add(x, tf.math.mul(tf.math.pow(x, tf.constant(3f)), tf.constant(0.044715f))),
                        tf.constant((float) Math.sqrt(2 / Math.PI))))
                : node(tf, "Erf", tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))));
        return tf.math.mul(halfX, tf.math.add(core, tf.constant(1f)));
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        long[] one = longs(1, 1, 1, 1);
        c.add(of("a convolution with a fused relu, strided along the width", Quantize.NONE,
                (tf, x) -> tf.nn.relu(tf.nn.biasAdd(conv(tf, x, longs(1, 1, 2, 1), "SAME", one, 3, 3, 3, 4), weights(tf, 4))),
                op(BuiltinOperator.CONV_2D, 1, BuiltinOptions.Conv2DOptions, new Conv2DOptions(), o -> {
                    assertEquals(Padding.SAME, o.padding());
                    assertEquals(1, o.strideH());
                    assertEquals(2, o.strideW());
                    assertEquals(ActivationFunctionType.RELU, o.fusedActivationFunction());
                    assertEquals(1, o.dilationHFactor());
                    assertEquals(1, o.dilationWFactor());
                })));
        c.add(of("a VALID convolution dilated along the height", Quantize.NONE,
                (tf, x) -> conv(tf, x, one, "VALID", longs(1, 2, 1, 1), 2, 2, 3, 4),
                op(BuiltinOperator.CONV_2D, 1, BuiltinOptions.Conv2DOptions, new Conv2DOptions(), o -> {
                    assertEquals(Padding.VALID, o.padding());
                    assertEquals(2, o.dilationHFactor());
                    assertEquals(1, o.dilationWFactor());
                    assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction());
                })));
        c.add(of("a depthwise convolution with multiplier 2 and a fused relu6", Quantize.NONE,
                (tf, x) -> tf.nn.relu6(depthwise(tf, x, 3, longs(1, 2, 2, 1), one)),
                op(BuiltinOperator.DEPTHWISE_CONV_2D, 1, BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions(), o -> {
                    assertEquals(Padding.SAME, o.padding());
                    assertEquals(2, o.strideH());
                    assertEquals(2, o.strideW());
                    assertEquals(2, o.depthMultiplier());
                    assertEquals(ActivationFunctionType.RELU6, o.fusedActivationFunction());
                    assertEquals(1, o.dilationHFactor());
                })));
        c.add(of("a dilated depthwise convolution", Quantize.NONE, (tf, x) -> depthwise(tf, x, 3, one, longs(1, 2, 2, 1)),
                op(BuiltinOperator.DEPTHWISE_CONV_2D, 2, BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions(), o -> {
                    assertEquals(2, o.dilationHFactor());
                    assertEquals(2, o.dilationWFactor());
                })));
        c.add(of("a transposed convolution", Quantize.NONE,
                (tf, x) -> node(tf, "Conv2DBackpropInput", attrs("strides", longs(1, 2, 1, 1), "padding", "SAME"), ints(tf, 1, 8, 4, 2),
                        weights(tf, 3, 3, 2, 3), x),
                op(BuiltinOperator.TRANSPOSE_CONV, 1, BuiltinOptions.TransposeConvOptions, new TransposeConvOptions(), o -> {
                    assertEquals(Padding.SAME, o.padding());
                    assertEquals(2, o.strideH());
                    assertEquals(1, o.strideW());
                    assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction());
                })));
        c.add(of("a transposed convolution with a bias", Quantize.NONE,
                (tf, x) -> tf.nn.biasAdd(node(tf, "Conv2DBackpropInput", attrs("strides", longs(1, 1, 1, 1), "padding", "VALID"),
                        ints(tf, 1, 6, 6, 2), weights(tf, 3, 3, 2, 3), x), weights(tf, 2)),
                op(BuiltinOperator.TRANSPOSE_CONV, 3, BuiltinOptions.TransposeConvOptions, new TransposeConvOptions(),
                        o -> assertEquals(Padding.VALID, o.padding()))));
        c.add(of("a dense layer with a bias", Quantize.NONE, OpEncodingTest::dense,
                op(BuiltinOperator.FULLY_CONNECTED, 1, BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions(), o -> {
                    assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction());
                    assertEquals(0, o.weightsFormat());
                    assertFalse(o.keepNumDims());
                    assertFalse(o.asymmetricQuantizeInputs());
                })));
        c.add(of("a dense layer without a bias", Quantize.NONE, (tf, x) -> node(tf, "MatMul", flat(tf, x), weights(tf, 48, 5)),
                op(BuiltinOperator.FULLY_CONNECTED, 6, BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions(),
                        o -> assertFalse(o.keepNumDims()))));
        c.add(of("a dense layer on a sequence, with a bias", Quantize.NONE,
                (tf, x) -> tf.math.add(node(tf, "BatchMatMulV2", sequence(tf, x), weights(tf, 3, 5)), weights(tf, 5)),
                op(BuiltinOperator.FULLY_CONNECTED, 5, BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions(),
                        o -> assertTrue(o.keepNumDims()))));
        c.add(of("a product of two activations", Quantize.NONE,
                (tf, x) -> node(tf, "BatchMatMulV2", attrs("adj_y", true), sequence(tf, x), sequence(tf, x)),
                op(BuiltinOperator.BATCH_MATMUL, 1, BuiltinOptions.BatchMatMulOptions, new BatchMatMulOptions(), o -> {
                    assertFalse(o.adjX());
                    assertTrue(o.adjY());
                    assertFalse(o.asymmetricQuantizeInputs());
                })));
        c.add(of("pools with windows and strides differing by axis", Quantize.NONE,
                (tf, x) -> tf.math.add(
                        node(tf, "MaxPool", attrs("ksize", longs(1, 2, 3, 1), "strides", longs(1, 1, 2, 1), "padding", "SAME"), x),
                        node(tf, "AvgPool", attrs("ksize", longs(1, 1, 2, 1), "strides", longs(1, 1, 2, 1), "padding", "VALID"), x)),
                op(BuiltinOperator.MAX_POOL_2D, 1, BuiltinOptions.Pool2DOptions, new Pool2DOptions(), o -> {
                    assertEquals(Padding.SAME, o.padding());
                    assertEquals(2, o.filterHeight());
                    assertEquals(3, o.filterWidth());
                    assertEquals(1, o.strideH());
                    assertEquals(2, o.strideW());
                    assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction());
                }),
                op(BuiltinOperator.AVERAGE_POOL_2D, 1, BuiltinOptions.Pool2DOptions, new Pool2DOptions(), o -> {
                    assertEquals(Padding.VALID, o.padding());
                    assertEquals(1, o.filterHeight());
                    assertEquals(2, o.filterWidth());
                })));
        c.add(of("arithmetic on activations, one with a fused relu6", Quantize.NONE,
                (tf, x) -> node(tf, "RealDiv", tf.math.mul(tf.nn.relu6(tf.math.add(x, centred(tf, x))), tf.math.sub(x, tf.math.square(x))),
                        tf.math.add(tf.math.square(x), tf.constant(1f))),
                op(BuiltinOperator.ADD, 1, BuiltinOptions.AddOptions, new AddOptions(), o -> {
                    assertEquals(ActivationFunctionType.RELU6, o.fusedActivationFunction());
                    assertFalse(o.potScaleInt16());
                }),
                op(BuiltinOperator.SUB, 1, BuiltinOptions.SubOptions, new SubOptions(),
                        o -> assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction())),
                op(BuiltinOperator.MUL, 1, BuiltinOptions.MulOptions, new MulOptions(),
                        o -> assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction())),
                op(BuiltinOperator.DIV, 1, BuiltinOptions.DivOptions, new DivOptions(),
                        o -> assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction()))));
        c.add(of("activations with parameters", Quantize.NONE,
                (tf, x) -> tf.math.add(tf.nn.softmax(node(tf, "LeakyRelu", attrs("alpha", 0.125f), centred(tf, x))), gelu(tf, x, false)),
                op(BuiltinOperator.LEAKY_RELU, 1, BuiltinOptions.LeakyReluOptions, new LeakyReluOptions(),
                        o -> assertEquals(0.125f, o.alpha())),
                op(BuiltinOperator.SOFTMAX, 1, BuiltinOptions.SoftmaxOptions, new SoftmaxOptions(), o -> assertEquals(1f, o.beta())),
                op(BuiltinOperator.GELU, 1, BuiltinOptions.GeluOptions, new GeluOptions(), o -> assertFalse(o.approximate()))));
        c.add(of("GELU's tanh approximation", Quantize.NONE, (tf, x) -> gelu(tf, centred(tf, x), true),
                op(BuiltinOperator.GELU, 1, BuiltinOptions.GeluOptions, new GeluOptions(), o -> assertTrue(o.approximate()))));
        c.add(of("reductions", Quantize.NONE,
                (tf, x) -> tf.math.add(node(tf, "Mean", attrs("keep_dims", true), x, ints(tf, 1, 2)),
                        node(tf, "Sum", attrs("keep_dims", false), x, ints(tf, 1, 2))),
                op(BuiltinOperator.MEAN, 1, BuiltinOptions.ReducerOptions, new ReducerOptions(), o -> assertTrue(o.keepDims())),
                op(BuiltinOperator.SUM, 1, BuiltinOptions.ReducerOptions, new ReducerOptions(), o -> assertFalse(o.keepDims()))));
        c.add(of("tensor plumbing", Quantize.NONE,
                (tf, x) -> {
                    Operand<TFloat32> joined = node(tf, "ConcatV2", List.of(x, centred(tf, x)), tf.constant(3));
                    Operand<TFloat32> stacked = tf.reshape(node(tf, "Pack", attrs("axis", 3), List.of(x, x)), ints(tf, 1, 4, 4, 6));
                    Operand<TFloat32> sliced = node(tf, "StridedSlice", attrs("begin_mask", 9, "end_mask", 1, "shrink_axis_mask", 4),
                            tf.math.add(joined, stacked), ints(tf, 0, 1, 2, 0), ints(tf, 0, 3, 3, 5), ints(tf, 1, 1, 1, 2));
                    return node(tf, "GatherV2", tf.reshape(sliced, ints(tf, 1, 2, 3)), ints(tf, 2, 0), tf.constant(2));
                },
                op(BuiltinOperator.CONCATENATION, 1, BuiltinOptions.ConcatenationOptions, new ConcatenationOptions(), o -> {
                    assertEquals(3, o.axis());
                    assertEquals(ActivationFunctionType.NONE, o.fusedActivationFunction());
                }),
                op(BuiltinOperator.PACK, 1, BuiltinOptions.PackOptions, new PackOptions(), o -> {
                    assertEquals(2, o.valuesCount());
                    assertEquals(3, o.axis());
                }),
                op(BuiltinOperator.RESHAPE, 1, BuiltinOptions.ReshapeOptions, new ReshapeOptions(), o -> assertTrue(o.newShapeLength() > 0)),
                op(BuiltinOperator.STRIDED_SLICE, 1, BuiltinOptions.StridedSliceOptions, new StridedSliceOptions(), o -> {
                    assertEquals(9, o.beginMask());
                    assertEquals(1, o.endMask());
                    assertEquals(0, o.ellipsisMask());
                    assertEquals(0, o.newAxisMask());
                    assertEquals(4, o.shrinkAxisMask());
                    assertFalse(o.offset());
                }),
                op(BuiltinOperator.GATHER, 1, BuiltinOptions.GatherOptions, new GatherOptions(), o -> {
                    assertEquals(2, o.axis());
                    assertEquals(0, o.batchDims());
                })));
        c.add(of("a cast to int32 and back", Quantize.NONE,
                (tf, x) -> node(tf, "Cast", attrs("DstT", DataType.DT_FLOAT), node(tf, "Cast", attrs("DstT", DataType.DT_INT32), x)),
                op(BuiltinOperator.CAST, 1, BuiltinOptions.CastOptions, new CastOptions(), o -> {
                    boolean toInt = o.inDataType() == TensorType.FLOAT32;
                    assertEquals(toInt ? TensorType.INT32 : TensorType.FLOAT32, o.outDataType());
                    assertEquals(toInt ? TensorType.FLOAT32 : TensorType.INT32, o.inDataType());
                })));
        c.add(of("resizes: plain, half-pixel centres, aligned corners", Quantize.NONE,
                (tf, x) -> tf.math.add(tf.math.add(
                        node(tf, "ResizeBilinear", x, ints(tf, 6, 6)),
                        node(tf, "ResizeBilinear", attrs("half_pixel_centers", true), x, ints(tf, 6, 6))),
                        node(tf, "ResizeNearestNeighbor", attrs("align_corners", true), x, ints(tf, 6, 6))),
                op(BuiltinOperator.RESIZE_BILINEAR, 1, BuiltinOptions.ResizeBilinearOptions, new ResizeBilinearOptions(),
                        o -> assertFalse(o.halfPixelCenters() || o.alignCorners())),
                op(BuiltinOperator.RESIZE_BILINEAR, 3, BuiltinOptions.ResizeBilinearOptions, new ResizeBilinearOptions(), o -> {
                    assertTrue(o.halfPixelCenters());
                    assertFalse(o.alignCorners());
                }),
                op(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, 3, BuiltinOptions.ResizeNearestNeighborOptions,
                        new ResizeNearestNeighborOptions(), o -> {
                            assertTrue(o.alignCorners());
                            assertFalse(o.halfPixelCenters());
                        })));
        c.add(of("ops without options", Quantize.NONE,
                (tf, x) -> {
                    Operand<TFloat32> y = node(tf, "Pad", x, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}));
                    y = node(tf, "Transpose", node(tf, "Slice", y, ints(tf, 0, 0, 0, 0), ints(tf, 1, 4, 4, 3)), ints(tf, 0, 2, 1, 3));
                    y = tf.math.maximum(tf.math.minimum(y, tf.constant(9f)), tf.math.squaredDifference(y, x));
                    y = node(tf, "ReverseV2", tf.math.sqrt(tf.math.exp(tf.math.neg(tf.math.abs(centred(tf, y))))), ints(tf, 2));
                    return node(tf, "Elu", tf.math.tanh(tf.math.sigmoid(tf.math.log(tf.math.add(y, tf.constant(1f))))));
                },
                op(BuiltinOperator.PAD, 1), op(BuiltinOperator.SLICE, 1), op(BuiltinOperator.TRANSPOSE, 1),
                op(BuiltinOperator.MAXIMUM, 1), op(BuiltinOperator.MINIMUM, 1), op(BuiltinOperator.SQUARED_DIFFERENCE, 1),
                op(BuiltinOperator.ABS, 1), op(BuiltinOperator.EXP, 1), op(BuiltinOperator.SQRT, 1),
                op(BuiltinOperator.REVERSE_V2, 1), op(BuiltinOperator.LOG, 1), op(BuiltinOperator.LOGISTIC, 1),
                op(BuiltinOperator.TANH, 1), op(BuiltinOperator.ELU, 1)));

        c.add(of("float16 weights: each dequantized once", Quantize.FLOAT16,
                (tf, x) -> conv(tf, x, one, "SAME", one, 3, 3, 3, 16),
                op(BuiltinOperator.DEQUANTIZE, 1), op(BuiltinOperator.CONV_2D, 1, BuiltinOptions.Conv2DOptions, new Conv2DOptions(), o -> { })));
        c.add(of("int8 weights on float activations", Quantize.DYNAMIC,
                (tf, x) -> {
                    Operand<TFloat32> features = depthwise(tf, conv(tf, x, one, "SAME", one, 3, 3, 3, 16), 16, one, one);
                    return node(tf, "MatMul", tf.reshape(features, ints(tf, 1, 512)), weights(tf, 512, 64));
                },
                op(BuiltinOperator.CONV_2D, 5, BuiltinOptions.Conv2DOptions, new Conv2DOptions(), o -> { }),
                op(BuiltinOperator.DEPTHWISE_CONV_2D, 6, BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions(), o -> { }),
                op(BuiltinOperator.FULLY_CONNECTED, 12, BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions(), o -> { })));
        c.add(of("int8", Quantize.INT8,
                (tf, x) -> {
                    Operand<TFloat32> features = tf.nn.relu(depthwise(tf, conv(tf, x, one, "SAME", one, 3, 3, 3, 3), 3, one, one));
                    Operand<TFloat32> gated = tf.math.mul(features, tf.math.add(features, tf.constant(1f)));
                    Operand<TFloat32> scores = node(tf, "MatMul", tf.reshape(gated, ints(tf, 1, 96)), weights(tf, 96, 10));
                    return tf.nn.softmax(tf.math.add(scores, weights(tf, 10)));
                },
                op(BuiltinOperator.CONV_2D, 3, BuiltinOptions.Conv2DOptions, new Conv2DOptions(), o -> { }),
                op(BuiltinOperator.DEPTHWISE_CONV_2D, 3, BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions(),
                        o -> assertEquals(ActivationFunctionType.RELU, o.fusedActivationFunction())),
                op(BuiltinOperator.MUL, 2, BuiltinOptions.MulOptions, new MulOptions(), o -> { }),
                op(BuiltinOperator.ADD, 2, BuiltinOptions.AddOptions, new AddOptions(), o -> { }),
                op(BuiltinOperator.FULLY_CONNECTED, 4, BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions(), o -> { }),
                op(BuiltinOperator.SOFTMAX, 2, BuiltinOptions.SoftmaxOptions, new SoftmaxOptions(), o -> assertEquals(1f, o.beta()))));
        return c;
    }

    static Stream<Case> allCases() { return cases().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void writesEachOpWithItsVersionAndOptions(Case c) throws IOException {
        Path model = TinySavedModels.export(tmp.resolve("model"), c.body());
        Path out = tmp.resolve("model.tflite");
        ConversionRequest.Builder request = ConversionRequest.builder(model, out).preprocess(Preprocess.RAW).quantize(c.mode());
        if (c.mode() == Quantize.INT8) request.calibrationSet(calibrationImages()).io(Int8Quantizer.Io.FLOAT32);
        Converter.convert(request.build());

        WrittenModel written = WrittenModel.read(out);
        for (Written expected : c.expected()) {
            List<Operator> ops = written.operators(expected.builtin()).stream().filter(op -> written.version(op) == expected.version()).toList();
            assertFalse(ops.isEmpty(), c + ": no " + expected + " among " + written.operators().stream()
                    .map(op -> written.name(op) + " v" + written.version(op)).toList());
            // The model may hold other ops of the same kind (an ADD of a constant besides the one under test): one
            // of them must be written as expected.
            AssertionError mismatch = null;
            for (Operator op : ops) {
                try {
                    assertEquals(expected.optionsType(), op.builtinOptionsType(), c + ": options type of " + expected);
                    expected.options().accept(op);
                    mismatch = null;
                    break;
                } catch (AssertionError e) {
                    mismatch = e;
                }
            }
            if (mismatch != null) throw mismatch;
        }
        try (TfliteModel loaded = TfliteModel.load(out); TfliteInterpreter interpreter = loaded.newInterpreter()) {
            interpreter.invoke(); // every version written is one the runtime has a kernel for
        }
    }

    @Test
    void weightsAreStoredInTheTypeEachModeAsksFor() {
        Path model = TinySavedModels.export(tmp.resolve("conv"), (tf, x) -> tf.nn.biasAdd(
                node(tf, "Conv2D", attrs("strides", longs(1, 1, 1, 1), "padding", "SAME"), x, weights(tf, 3, 3, 3, 16)), weights(tf, 16)));
        for (Quantize mode : List.of(Quantize.NONE, Quantize.FLOAT16, Quantize.DYNAMIC, Quantize.INT8)) {
            Path out = tmp.resolve(mode.cliName() + ".tflite");
            ConversionRequest.Builder request = ConversionRequest.builder(model, out).preprocess(Preprocess.RAW).quantize(mode);
            if (mode == Quantize.INT8) request.calibrationSet(calibrationImages()).io(Int8Quantizer.Io.FLOAT32);
            Converter.convert(request.build());
            WrittenModel file = WrittenModel.read(out);
            Operator conv = file.operators(BuiltinOperator.CONV_2D).getFirst();
            Tensor input = file.input(conv, 0), filter = file.input(conv, 1), bias = file.input(conv, 2);
            switch (mode) {
                case NONE -> {
                    assertEquals(TensorType.FLOAT32, filter.type());
                    assertEquals(16 * 27 * 4, file.data(filter).remaining());
                }
                case FLOAT16 -> {
                    Operator dequantize = file.producer(filter);
                    assertEquals("DEQUANTIZE", file.name(dequantize), "float16 weights are expanded before the convolution");
                    Tensor half = file.input(dequantize, 0);
                    assertEquals(TensorType.FLOAT16, half.type());
                    assertEquals(16 * 27 * 2, file.data(half).remaining(), "two bytes a weight");
                    assertEquals(TensorType.FLOAT32, filter.type());
                }
                case DYNAMIC -> {
                    assertEquals(TensorType.FLOAT32, input.type(), "float activations");
                    assertEquals(TensorType.INT8, filter.type());
                    assertEquals(16, filter.quantization().scaleLength(), "one scale per output channel");
                    assertEquals(0, filter.quantization().quantizedDimension());
                    assertEquals(TensorType.FLOAT32, bias.type());
                }
                case INT8 -> {
                    assertEquals(TensorType.INT8, input.type());
                    assertEquals(TensorType.INT8, filter.type());
                    assertEquals(16, filter.quantization().scaleLength());
                    assertEquals(TensorType.INT32, bias.type(), "int32 bias at the input scale times the weight scale");
                }
            }
        }
    }

    /** A few images for int8 calibration: the tiny models take [1, 4, 4, 3]. */
    private static CalibrationSet calibrationImages() {
        List<float[]> images = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            float[] image = new float[48];
            for (int i = 0; i < 48; i++) image[i] = ((i * 37 + k * 11) % 48) / 4f;
            images.add(image);
        }
        return CalibrationSet.of(images);
    }
}
