package dev.mlpack.optimizer.tflite;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.util.function.Function;

/**
 * Runs a model the converter has just written, in memory and on all cores, for the measurements a conversion makes
 * (calibration, pruning statistics, scoring range methods). The model is the converter's own output, so an
 * interpreter failure is an internal error naming the run; the body's own conversion errors pass through.
 */
public final class MeasurementRun {
    private MeasurementRun() {}

    public static <T> T run(byte[] model, InterpreterOptions options, String purpose, Function<TfliteInterpreter, T> body) {
        try (TfliteModel loaded = TfliteModel.fromBytes(model, purpose);
             TfliteInterpreter interpreter = loaded.newInterpreter(options.withThreads(Runtime.getRuntime().availableProcessors()))) {
            return body.apply(interpreter);
        } catch (RuntimeException e) {
            if (e instanceof ConversionException) throw e;
            throw new ConversionException(ConversionException.Kind.INTERNAL, purpose + " failed: " + e.getMessage(), e);
        }
    }
}
