package dev.mlpack.optimizer.testing;

import java.nio.file.Path;
import java.util.TreeMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Small classifier heads on the 4x4 images of {@link TinySavedModels}: the image's per-channel mean through a dense
 * layer with fixed weights, ending in a softmax, a sigmoid or nothing (logits), as Keras' tutorials end theirs.
 */
public final class TinyClassifiers {
    private TinyClassifiers() {}

    /** {@code mean over H, W} then {@code x W + b}: [N, units] logits. */
    public static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> image, float[][] weights, float[] bias) {
        Operand<TFloat32> pooled = tf.math.mean(image, tf.constant(new int[] {1, 2}));
        return tf.math.add(tf.linalg.matMul(pooled, tf.constant(weights)), tf.constant(bias));
    }

    /** Weights for {@code channels} inputs and {@code units} outputs, each unit favouring a different channel mix. */
    public static float[][] weights(int channels, int units) {
        float[][] w = new float[channels][units];
        for (int c = 0; c < channels; c++) for (int u = 0; u < units; u++) w[c][u] = (float) Math.sin(1 + c * 3 + u * 1.7) * 2;
        return w;
    }

    public static TinySavedModels.Body softmax(int channels, int units) {
        return (tf, x) -> tf.nn.softmax(dense(tf, x, weights(channels, units), new float[units]));
    }

    public static TinySavedModels.Body sigmoid(int channels, int units) {
        return (tf, x) -> tf.math.sigmoid(dense(tf, x, weights(channels, units), new float[units]));
    }

    public static TinySavedModels.Body logits(int channels, int units) {
        return (tf, x) -> dense(tf, x, weights(channels, units), new float[units]);
    }

    /** A model with one output {@code output_0}. */
    public static Path single(Path dir, int channels, TinySavedModels.Body head) {
        return TinySavedModels.export(dir, channels, Map.of("output_0", head));
    }

    /** A model with the given outputs, in key order (as the SavedModel's signature lists them). */
    public static Path outputs(Path dir, Map<String, TinySavedModels.Body> heads) {
        return TinySavedModels.export(dir, 3, new TreeMap<>(heads));
    }
}
