package dev.mlpack.optimizer.errors;

/**
 * A failure the user can act on. {@link Kind#exitCode()} follows the CLI contract: 2 for bad input or usage,
 * 1 for anything else. The message is one line that names the problem and what to do.
 */
public final class ConversionException extends RuntimeException {
    public enum Kind {
        BAD_INPUT(2), UNSUPPORTED(2), INTERNAL(1);

        private final int exitCode;

        Kind(int exitCode) { this.exitCode = exitCode; }

        public int exitCode() { return exitCode; }
    }

    private final Kind kind;

    public ConversionException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ConversionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static ConversionException badInput(String message) { return new ConversionException(Kind.BAD_INPUT, message); }

    public Kind kind() { return kind; }
}
