package dev.mlpack.runtime.tflite;

/**
 * A TFLite call failed (invalid model, unsupported op, allocation or invoke error).
 *
 * <p>TFLite writes its detailed reason to stderr through its default error reporter; this
 * exception names the step that failed.
 */
public class TfliteException extends RuntimeException {
    public TfliteException(String message) {
        super(message);
    }

    public TfliteException(String message, Throwable cause) {
        super(message, cause);
    }
}
