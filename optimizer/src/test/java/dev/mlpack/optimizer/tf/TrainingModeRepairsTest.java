package dev.mlpack.optimizer.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The importer's repairs of serving functions traced in training mode, on SavedModels built with TF Java (no
 * Python): BatchNormalization that normalises with the batch's moments while updating its moving statistics, and
 * random layers that augment at serving time. And what it must not repair: a real flip, an image warp.
 */
class TrainingModeRepairsTest {
    @TempDir Path tmp;

    /** One image of the tiny models' [1, 4, 4, 3] input: distinct values, so that a flip or a shift shows. */
    private static final float[] IMAGE = new float[48];

    static {
        for (int i = 0; i < IMAGE.length; i++) IMAGE[i] = (i * 37 % 48) / 4f;
    }

    private static final float[] MOVING_MEAN = {1.5f, -2f, 4f};
    private static final float[] MOVING_VARIANCE = {4f, 0.25f, 9f};
    private static final float EPSILON = 1e-3f;

    /**
     * Keras 3's BatchNormalization in training mode, as model.export() traces it: moments over the batch and space,
     * the moving statistics updated with {@code moving * 0.99 + moment * 0.01}, the input normalised by the moments.
     */
    private static Operand<TFloat32> trainingModeBatchNorm(Ops root, Operand<TFloat32> x) {
        Ops tf = root.withSubScope("batch_normalization");
        Operand<TInt32> axes = tf.constant(new int[] {0, 1, 2});
        Operand<TFloat32> mean = tf.withName("moments_mean").math.mean(x, axes, Mean.keepDims(true));
        Operand<TFloat32> variance = tf.withName("moments_variance").math.mean(
                tf.math.squaredDifference(x, tf.stopGradient(mean)), axes, Mean.keepDims(true));
        update(tf, "moving_mean", MOVING_MEAN, mean);
        update(tf, "moving_variance", MOVING_VARIANCE, variance);
        Operand<TFloat32> scale = tf.math.rsqrt(tf.math.add(variance, tf.constant(EPSILON)));
        return tf.math.mul(tf.math.sub(x, mean), scale);
    }

    private static void update(Ops tf, String name, float[] initial, Operand<TFloat32> moment) {
        Variable<TFloat32> moving = tf.withName(name).variable(tf.constant(initial));
        Operand<TFloat32> squeezed = tf.squeeze(moment, Squeeze.axis(0L, 1L, 2L));
        tf.withName(name + "_update").assign(moving, tf.math.add(tf.math.mul(moving, tf.constant(0.99f)),
                tf.math.mul(squeezed, tf.constant(0.01f))));
    }

    private float[] convertAndRun(Path model, boolean keepTrainingGraph) {
        Path out = tmp.resolve(model.getFileName() + (keepTrainingGraph ? "-kept" : "") + ".tflite");
        result = Converter.convert(ConversionRequest.builder(model, out).preprocess(Preprocess.RAW)
                .keepTrainingGraph(keepTrainingGraph).build());
        return run(out);
    }

    private ConversionResult result;

    private static float[] run(Path tflite) {
        try (TfliteModel m = TfliteModel.load(tflite);
             TfliteInterpreter i = m.newInterpreter(InterpreterOptions.defaults().withThreads(1))) {
            i.setInput(0, IMAGE);
            i.invoke();
            return i.outputFloats(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void trainingModeBatchNormalizationUsesTheMovingStatistics() {
        Path model = TinySavedModels.export(tmp.resolve("bn"), TrainingModeRepairsTest::trainingModeBatchNorm);
        float[] y = convertAndRun(model, false);
        for (int i = 0; i < y.length; i++) {
            int c = i % 3;
            float expected = (IMAGE[i] - MOVING_MEAN[c]) / (float) Math.sqrt(MOVING_VARIANCE[c] + EPSILON);
            assertEquals(expected, y[i], 1e-4, "element " + i);
        }
        assertEquals(List.of("batch_normalization"), result.repairs().movingStatistics());
        assertTrue(result.repairs().trainingModeExport());
    }

    @Test
    void keepTrainingGraphNormalisesWithTheImagesOwnStatistics() {
        Path model = TinySavedModels.export(tmp.resolve("bn"), TrainingModeRepairsTest::trainingModeBatchNorm);
        float[] y = convertAndRun(model, true);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = c; i < y.length; i += 3) sum += y[i];
            assertEquals(0, sum / 16, 1e-4, "channel " + c + " of a batch of one is centred on its own mean");
        }
        assertEquals(List.of("batch_normalization"), result.repairs().keptBatchStatistics());
        assertTrue(result.repairs().movingStatistics().isEmpty());
    }

    @Test
    void fusedBatchNormalizationInTrainingModeUsesTheMovingStatisticsItIsGiven() {
        // tf.keras 2 passes the moving statistics to FusedBatchNormV3 even in training mode, to update them.
        Path model = TinySavedModels.export(tmp.resolve("fused"), (tf, x) -> tf.withSubScope("batch_normalization").nn.fusedBatchNorm(
                x, tf.constant(new float[] {1, 1, 1}), tf.constant(new float[] {0, 0, 0}), tf.constant(MOVING_MEAN),
                tf.constant(MOVING_VARIANCE), org.tensorflow.op.nn.FusedBatchNorm.epsilon(EPSILON),
                org.tensorflow.op.nn.FusedBatchNorm.isTraining(true)).y());
        float[] y = convertAndRun(model, false);
        for (int i = 0; i < y.length; i++) {
            int c = i % 3;
            assertEquals((IMAGE[i] - MOVING_MEAN[c]) / (float) Math.sqrt(MOVING_VARIANCE[c] + EPSILON), y[i], 1e-4, "element " + i);
        }
        assertEquals(List.of("batch_normalization"), result.repairs().movingStatistics());
        assertThrows(ConversionException.class, () -> convertAndRun(model, true), "--keep-training-graph cannot convert it");
    }

    /** Keras' RandomFlip as traced in training mode: flip or not, chosen by a random number. */
    private static Operand<TFloat32> randomFlip(Ops root, Operand<TFloat32> x) {
        Ops tf = root.withSubScope("random_flip");
        Operand<TFloat32> coin = tf.random.randomUniform(tf.constant(new int[] {1, 1, 1, 1}), TFloat32.class);
        Operand<TFloat32> flipped = tf.reverse(x, tf.constant(new int[] {2}));
        // Built by hand for the shape TensorFlow records on every node it saves, which TF Java leaves out.
        Scope scope = tf.scope();
        return scope.env().opBuilder("SelectV2", scope.makeOpName("SelectV2"), scope)
                .addInput(tf.math.lessEqual(coin, tf.constant(0.5f)).asOutput()).addInput(flipped.asOutput()).addInput(x.asOutput())
                .setAttr("_output_shapes", new Shape[] {Shape.of(-1, 4, 4, 3)}).build().output(0);
    }

    @Test
    void aRandomAugmentationLayerIsDroppedAsAWhole() {
        Path model = TinySavedModels.export(tmp.resolve("flip"), (tf, x) -> tf.math.mul(randomFlip(tf, x), tf.constant(2f)));
        float[] y = convertAndRun(model, false);
        for (int i = 0; i < y.length; i++) assertEquals(2 * IMAGE[i], y[i], 0f, "element " + i);
        assertEquals(List.of("random_flip"), result.repairs().droppedLayers());
        assertTrue(result.ops().keySet().stream().noneMatch(op -> op.contains("REVERSE") || op.contains("SELECT")), result.ops().toString());
    }

    @Test
    void aFlipOutsideARandomLayerIsConvertedFaithfully() {
        Path model = TinySavedModels.export(tmp.resolve("reverse"), (tf, x) -> tf.reverse(x, tf.constant(new int[] {2})));
        float[] y = convertAndRun(model, false);
        for (int h = 0; h < 4; h++) {
            for (int w = 0; w < 4; w++) {
                for (int c = 0; c < 3; c++) assertEquals(IMAGE[(h * 4 + 3 - w) * 3 + c], y[(h * 4 + w) * 3 + c], 0f);
            }
        }
        assertTrue(result.repairs().droppedLayers().isEmpty());
    }

    @Test
    void aRandomLayerThatReadsWeightsIsNotDropped() {
        // Noise added to a weighted layer's output: the layer computes something besides the noise.
        Path model = TinySavedModels.export(tmp.resolve("noisy"), (root, x) -> {
            Ops tf = root.withSubScope("noisy_dense");
            Variable<TFloat32> weights = tf.withName("kernel").variable(tf.constant(new float[] {1, 2, 3}));
            Operand<TFloat32> noise = tf.random.randomUniform(tf.constant(new int[] {1, 4, 4, 3}), TFloat32.class);
            Scope scope = tf.scope();
            return scope.env().opBuilder("AddV2", scope.makeOpName("AddV2"), scope)
                    .addInput(tf.math.mul(x, weights).asOutput()).addInput(noise.asOutput())
                    .setAttr("_output_shapes", new Shape[] {Shape.of(-1, 4, 4, 3)}).build().output(0);
        });
        ConversionException e = assertThrows(ConversionException.class, () -> convertAndRun(model, false));
        assertTrue(e.getMessage().contains("RandomUniform") && e.getMessage().contains("noisy_dense"), e.getMessage());
    }

    @Test
    void anImageWarpOutsideARandomLayerIsRefusedByName() {
        Path model = TinySavedModels.export(tmp.resolve("warp"), (tf, x) -> tf.image.imageProjectiveTransformV3(x,
                tf.constant(new float[][] {{1, 0, 1, 0, 1, 0, 0, 0}}), tf.constant(new int[] {4, 4}), tf.constant(0f),
                "BILINEAR"));
        ConversionException e = assertThrows(ConversionException.class, () -> convertAndRun(model, false));
        assertTrue(e.getMessage().contains("ImageProjectiveTransformV3"), e.getMessage());
    }

    @Test
    void divideNoNanGivesZeroWhereTheDivisorIsZero() {
        // Each image divided by its own maximum: a divisor computed at run time, zero for a black image.
        Path model = TinySavedModels.export(tmp.resolve("divnonan"), (tf, x) -> tf.math.divNoNan(x,
                tf.max(x, tf.constant(new int[] {1, 2, 3}), org.tensorflow.op.core.Max.keepDims(true))));
        Path out = tmp.resolve("divnonan.tflite");
        Converter.convert(ConversionRequest.builder(model, out).preprocess(Preprocess.RAW).build());
        float max = 0;
        for (float v : IMAGE) max = Math.max(max, v);
        float[] scaled = run(out);
        for (int i = 0; i < IMAGE.length; i++) assertEquals(IMAGE[i] / max, scaled[i], 1e-6f);
        try (TfliteModel m = TfliteModel.load(out);
             TfliteInterpreter i = m.newInterpreter(InterpreterOptions.defaults().withThreads(1))) {
            i.setInput(0, new float[48]);
            i.invoke();
            assertArrayEquals(new float[48], i.outputFloats(0), "0 / 0 is 0, not NaN");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void divideNoNanByAConstantWithZerosMasksThem() {
        Path model = TinySavedModels.export(tmp.resolve("divconst"), (tf, x) -> tf.math.divNoNan(x, tf.constant(new float[] {2, 0, 4})));
        float[] y = convertAndRun(model, false);
        for (int i = 0; i < y.length; i++) {
            float expected = i % 3 == 1 ? 0 : IMAGE[i] / (i % 3 == 0 ? 2 : 4);
            assertEquals(expected, y[i], 1e-6f, "element " + i);
        }
    }
}
