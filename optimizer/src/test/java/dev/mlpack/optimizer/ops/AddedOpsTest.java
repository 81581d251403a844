package dev.mlpack.optimizer.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.optimizer.reference.SavedModelRunner;
import dev.mlpack.optimizer.testing.Fidelity;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.runtime.image.Preprocess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The ops added through the registry, each in one family file with its lowering (the cost of a new op): in float the
 * written model computes what TensorFlow computes, and in int8 it keeps the signal.
 */
class AddedOpsTest {
    /** Relative float error allowed against TensorFlow's own run. */
    static final double FLOAT_TOLERANCE = 1e-4;
    /** int8 output SQNR required against the float SavedModel, in dB: a single quantized layer or two keep far more. */
    static final double MIN_INT8_SQNR_DB = 25;

    @TempDir Path tmp;

    /** A model, and the TFLite op it must be written with. */
    record Case(String name, String tfliteOp, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body) {
        @Override public String toString() { return name; }
    }

    /** A 1×1 convolution to 3 channels with mixed signs, so that activations see negative values. */
    static Operand<TFloat32> mix(Ops tf, Operand<TFloat32> x) {
        float[][][][] filter = {{{{0.5f, -1f, 0.25f}, {1f, 0.75f, -0.5f}, {-0.8f, 0.3f, 1.2f}}}};
        return tf.nn.conv2d(x, tf.constant(filter), List.of(1L, 1L, 1L, 1L), "SAME");
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Conv2DTranspose", "TRANSPOSE_CONV", (tf, x) -> {
                    // Keras' Conv2DTranspose(2, 3, strides=2, padding="same"): filter H, W, output channels, input channels.
                    float[][][][] filter = new float[3][3][2][3];
                    Random random = new Random(7);
                    for (float[][][] a : filter) for (float[][] b : a) for (float[] c : b) for (int i = 0; i < c.length; i++) c[i] = random.nextFloat() - 0.5f;
                    Operand<TFloat32> y = tf.nn.conv2dBackpropInput(tf.constant(new int[] {1, 8, 8, 2}), tf.constant(filter), x,
                            List.of(1L, 2L, 2L, 1L), "SAME");
                    return tf.nn.biasAdd(y, tf.constant(new float[] {0.1f, -0.2f}));
                }),
                new Case("Elu", "ELU", (tf, x) -> tf.nn.elu(mix(tf, x))),
                new Case("LeakyReLU", "LEAKY_RELU", (tf, x) -> tf.nn.leakyRelu(mix(tf, x), org.tensorflow.op.nn.LeakyRelu.alpha(0.3f))));
    }

    /** Images of the tiny models' [1, 4, 4, 3] input, values in [-2, 2]. */
    static List<float[]> images(int count, long seed) {
        Random random = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] x = new float[48];
            for (int j = 0; j < x.length; j++) x[j] = random.nextFloat() * 4 - 2;
            out.add(x);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatMatchesTensorFlowAndInt8KeepsTheSignal(Case c) throws Exception {
        Path model = TinySavedModels.export(tmp.resolve(c.name()), c.body());
        List<float[]> inputs = images(8, 2);
        float[] batch = new float[inputs.size() * 48];
        for (int i = 0; i < inputs.size(); i++) System.arraycopy(inputs.get(i), 0, batch, i * 48, 48);
        // One image at a time, as the converted model runs (the transposed convolution's output shape has batch 1).
        List<float[]> outputs = new ArrayList<>();
        try (SavedModelRunner tf = SavedModelRunner.load(model, "serving_default")) {
            for (float[] image : inputs) outputs.add(tf.run(image, 1, 4, 4, 3));
        }
        float[] expected = new float[outputs.size() * outputs.getFirst().length];
        for (int i = 0; i < outputs.size(); i++) System.arraycopy(outputs.get(i), 0, expected, i * outputs.get(i).length, outputs.get(i).length);

        Path floatFile = tmp.resolve(c.name() + ".tflite");
        ConversionResult f = Converter.convert(ConversionRequest.builder(model, floatFile).preprocess(Preprocess.RAW).build());
        assertTrue(f.ops().containsKey(c.tfliteOp()), "written as " + c.tfliteOp() + ": " + f.ops());
        double error = Fidelity.relativeMaxError(Fidelity.runTflite(floatFile, batch, inputs.size()), expected);
        assertTrue(error <= FLOAT_TOLERANCE, c.name() + ": float relative error " + error);

        Path int8File = tmp.resolve(c.name() + "-int8.tflite");
        ConversionResult q = Converter.convert(ConversionRequest.builder(model, int8File).preprocess(Preprocess.RAW)
                .quantize(Quantize.INT8).calibrationSet(CalibrationSet.of(images(64, 1))).io(Int8Quantizer.Io.FLOAT32).build());
        assertEquals(List.of(), q.floatOps(), "every op runs in int8");
        double sqnr = Fidelity.sqnrDb(Fidelity.runTflite(int8File, batch, inputs.size()), expected);
        System.out.printf("added op %-16s float max|a-b|/max|b| = %.2e, int8 SQNR %.1f dB%n", c.name(), error, sqnr);
        assertTrue(sqnr >= MIN_INT8_SQNR_DB, c.name() + ": int8 SQNR " + sqnr + " dB");
    }
}
