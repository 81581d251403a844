package dev.mlpack.optimizer.reference;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.tf.CapturedVariables;
import dev.mlpack.optimizer.tf.TensorFlowCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Runs the original SavedModel with TF Java: the reference that converted models are checked against. TF's own
 * C loader restores variables through the graph's saver, so it also runs models Python can no longer load. Where that
 * saver misses variables the signature reads (Keras 3 models written with tf.saved_model.save), they are restored
 * from the checkpoint the way Python's loader binds them; see {@link CapturedVariables}.
 */
public final class SavedModelRunner implements AutoCloseable {
    private final Path dir;
    private final SavedModelBundle bundle;
    private final SessionFunction function;
    private final String inputKey;
    private final String outputKey;

    private SavedModelRunner(Path dir, SavedModelBundle bundle, SessionFunction function, String outputKey) {
        this.dir = dir;
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
        String name = signature == null ? "serving_default" : signature;
        SavedModelBundle bundle;
        try {
            bundle = TensorFlowCalls.quietly(() -> SavedModelBundle.load(dir.toString(), "serve"));
        } catch (RuntimeException e) {
            throw ConversionException.badInput("TensorFlow cannot load " + dir + ": " + firstLine(e));
        }
        try {
            SessionFunction function;
            try {
                function = bundle.function(name);
            } catch (RuntimeException e) {
                throw ConversionException.badInput("the model has no signature '" + name + "': " + firstLine(e));
            }
            TensorFlowCalls.quietly(() -> CapturedVariables.restoreUnset(bundle, dir, name));
            return new SavedModelRunner(dir, bundle, function, outputKey);
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** Runs a batch: {@code input} is NHWC float32 with the given shape; returns the chosen output, flattened. */
    public float[] run(float[] input, long... shape) {
        return TensorFlowCalls.quietly(() -> runNow(input, shape));
    }

    private float[] runNow(float[] input, long[] shape) {
        try {
            return call(input, shape);
        } catch (TFFailedPreconditionException e) {
            // A variable the function reads is still unset: one that neither TF's loader nor CapturedVariables could
            // tie to the checkpoint. The folder is at fault, not the run.
            throw ConversionException.badInput("TensorFlow cannot run the SavedModel " + dir + " ("
                    + firstLine(e).split("\\. ", 2)[0] + "): export the model again with Keras' model.export(DIR)");
        }
    }

    private float[] call(float[] input, long[] shape) {
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
        // TF's messages can start with an empty line.
        return String.valueOf(e.getMessage()).lines().filter(line -> !line.isBlank()).findFirst().orElse(e.toString());
    }

    @Override
    public void close() { bundle.close(); }
}
