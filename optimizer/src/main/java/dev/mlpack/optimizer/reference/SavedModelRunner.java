package dev.mlpack.optimizer.reference;

import dev.mlpack.optimizer.ConversionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Runs the original SavedModel with TF Java: the reference that converted models are checked against. TF's own
 * C loader restores variables through the graph's saver, so it also runs models Python can no longer load.
 */
public final class SavedModelRunner implements AutoCloseable {
    private final SavedModelBundle bundle;
    private final SessionFunction function;
    private final String inputKey;
    private final String outputKey;

    private SavedModelRunner(SavedModelBundle bundle, SessionFunction function, String outputKey) {
        this.bundle = bundle;
        this.function = function;
        this.inputKey = function.signature().inputNames().iterator().next();
        this.outputKey = outputKey != null ? outputKey : function.signature().outputNames().iterator().next();
    }

    /** Loads the model to run {@code signature} (null: serving_default) and return its first output. */
    public static SavedModelRunner load(Path dir, String signature) {
        return load(dir, signature, null);
    }

    /**
     * Loads the model to run {@code signature} (null: serving_default) and return its output {@code outputKey} (null:
     * the first one), e.g. the classifier of a model with several outputs.
     */
    public static SavedModelRunner load(Path dir, String signature, String outputKey) {
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw ConversionException.badInput("no saved_model.pb in " + dir + ": pass a SavedModel folder");
        }
        SavedModelBundle bundle;
        try {
            bundle = dev.mlpack.optimizer.tf.TensorFlowCalls.quietly(() -> SavedModelBundle.load(dir.toString(), "serve"));
        } catch (RuntimeException e) {
            throw ConversionException.badInput("TensorFlow cannot load " + dir + ": " + firstLine(e));
        }
        try {
            return new SavedModelRunner(bundle, bundle.function(signature == null ? "serving_default" : signature), outputKey);
        } catch (RuntimeException e) {
            bundle.close();
            throw ConversionException.badInput("the model has no signature '" + signature + "': " + firstLine(e));
        }
    }

    /** Runs a batch: {@code input} is NHWC float32 with the given shape; returns the chosen output, flattened. */
    public float[] run(float[] input, long... shape) {
        return dev.mlpack.optimizer.tf.TensorFlowCalls.quietly(() -> runNow(input, shape));
    }

    private float[] runNow(float[] input, long[] shape) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input, true, false));
             Result r = function.call(Map.<String, Tensor>of(inputKey, x))) {
            Tensor out = r.get(outputKey).orElseThrow(() -> ConversionException.badInput("the SavedModel's signature has no output '"
                    + outputKey + "'; its outputs are " + function.signature().outputNames()));
            float[] values = new float[(int) out.shape().size()];
            ((TFloat32) out).asRawTensor().data().asFloats().read(values);
            return values;
        }
    }

    private static String firstLine(RuntimeException e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
    }

    @Override
    public void close() { bundle.close(); }
}
