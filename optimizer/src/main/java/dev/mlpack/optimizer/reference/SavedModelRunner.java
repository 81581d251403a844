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

    private SavedModelRunner(SavedModelBundle bundle, SessionFunction function) {
        this.bundle = bundle;
        this.function = function;
        this.inputKey = function.signature().inputNames().iterator().next();
        this.outputKey = function.signature().outputNames().iterator().next();
    }

    public static SavedModelRunner load(Path dir, String signature) {
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
            return new SavedModelRunner(bundle, bundle.function(signature == null ? "serving_default" : signature));
        } catch (RuntimeException e) {
            bundle.close();
            throw ConversionException.badInput("the model has no signature '" + signature + "': " + firstLine(e));
        }
    }

    /** Runs a batch: {@code input} is NHWC float32 with the given shape; returns the first output, flattened. */
    public float[] run(float[] input, long... shape) {
        return dev.mlpack.optimizer.tf.TensorFlowCalls.quietly(() -> runNow(input, shape));
    }

    private float[] runNow(float[] input, long[] shape) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(input, true, false));
             Result r = function.call(Map.<String, Tensor>of(inputKey, x))) {
            Tensor out = r.get(outputKey).orElseGet(() -> r.get(0));
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
