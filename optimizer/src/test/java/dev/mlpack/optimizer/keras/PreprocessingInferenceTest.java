package dev.mlpack.optimizer.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.runtime.image.Preprocess;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** What the graph of a model shows about how it expects its pixels scaled; SavedModels built with TF Java. */
class PreprocessingInferenceTest {
    @TempDir Path tmp;

    private Optional<PreprocessingInference.Evidence> infer(String name, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body) {
        Path model = TinySavedModels.export(tmp.resolve(name), body);
        return PreprocessingInference.infer(Converter.importGraph(model, "serving_default").graph());
    }

    /** A 1x1 convolution to 2 channels standing for the rest of a network. */
    private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x) {
        float[][][][] filter = {{{{0.5f, -1f}, {2f, 0.25f}, {-0.5f, 1f}}}};
        return tf.nn.conv2d(x, tf.constant(filter), java.util.List.of(1L, 1L, 1L, 1L), "SAME");
    }

    private static Operand<TFloat32> rescaling(Ops root, Operand<TFloat32> x) {
        Ops tf = root.withSubScope("rescaling");
        return tf.math.mul(x, tf.constant(1 / 255f));
    }

    @Test
    void aLeadingRescalingLayerMeansRawPixels() {
        var evidence = infer("rescaling", (tf, x) -> conv(tf, rescaling(tf, x))).orElseThrow();
        assertEquals(Preprocess.RAW, evidence.mode());
        assertTrue(evidence.reason().contains("'rescaling'"), evidence.reason());
    }

    @Test
    void aNormalizationLayerWithPerChannelMeansMeansRawPixels() {
        var evidence = infer("normalization", (root, x) -> {
            Ops tf = root.withSubScope("normalization");
            Operand<TFloat32> centred = tf.math.sub(x, tf.constant(new float[] {120f, 115f, 100f}));
            return conv(root, tf.math.div(centred, tf.constant(new float[] {60f, 58f, 57f})));
        }).orElseThrow();
        assertEquals(Preprocess.RAW, evidence.mode());
    }

    @Test
    void resizingFlipsAndAGrayscaleConversionMayComeFirst() {
        var evidence = infer("resize-gray", (tf, x) -> {
            Operand<TFloat32> resized = tf.image.resizeBilinear(x, tf.constant(new int[] {8, 8}));
            Operand<TFloat32> flipped = tf.reverse(resized, tf.constant(new int[] {2}));
            // tf.image.rgb_to_grayscale: a weighted sum of the channels with weights adding up to 1
            Operand<TFloat32> gray = tf.reshape(tf.linalg.matMul(tf.reshape(flipped, tf.constant(new int[] {-1, 3})),
                    tf.constant(new float[][] {{0.2989f}, {0.587f}, {0.114f}})), tf.constant(new int[] {1, 8, 8, 1}));
            return rescaling(tf, gray);
        }).orElseThrow();
        assertEquals(Preprocess.RAW, evidence.mode());
    }

    @Test
    void aNetworkThatStartsComputingRightAwayShowsNothing() {
        assertTrue(infer("plain", PreprocessingInferenceTest::conv).isEmpty());
    }

    @Test
    void aScalingByAValueComputedFromTheImageShowsNothing() {
        // x / max(x): the scale cancels, but an offset would not, so the graph cannot tell tf from raw.
        assertTrue(infer("by-max", (tf, x) -> conv(tf, tf.math.div(x,
                tf.max(x, tf.constant(new int[] {1, 2, 3}), org.tensorflow.op.core.Max.keepDims(true))))).isEmpty());
    }

    @Test
    void aKerasApplicationsFamilyIsKnownByItsLayerNames() {
        var evidence = infer("mobilenetv2", (tf, x) -> {
            Operand<TFloat32> y = conv(tf.withSubScope("Conv1_1"), x);
            y = tf.withSubScope("expanded_conv_depthwise_1").math.abs(y);
            return tf.withSubScope("block_1_expand_1").math.abs(y);
        }).orElseThrow();
        assertEquals(Preprocess.TF, evidence.mode());
        assertTrue(evidence.reason().contains("MobileNetV2"), evidence.reason());
    }

    @Test
    void resNetV2IsNotTakenForResNet() {
        BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> v2 = (tf, x) -> {
            Operand<TFloat32> y = conv(tf.withSubScope("conv1_conv"), x);
            for (String layer : new String[] {"conv2_block1_preact_bn", "conv2_block1_0_conv", "conv2_block1_1_conv", "post_bn"}) {
                y = tf.withSubScope(layer).math.abs(y);
            }
            return y;
        };
        assertEquals(Preprocess.TF, infer("resnetv2", v2).orElseThrow().mode());
        BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> v1 = (tf, x) -> {
            Operand<TFloat32> y = conv(tf.withSubScope("conv1_conv"), x);
            for (String layer : new String[] {"conv2_block1_0_conv", "conv2_block1_1_conv"}) y = tf.withSubScope(layer).math.abs(y);
            return y;
        };
        assertEquals(Preprocess.CAFFE, infer("resnet", v1).orElseThrow().mode());
    }
}
