package dev.mlpack.packager;

/**
 * A packaging failure with the exit code the command line should give: {@link Kind#BAD_INPUT} (2) for bad input and
 * for an artifact that does not fit its budget, {@link Kind#FAILED} (1) for anything else (a self-check that fails,
 * an I/O error). The message is one line that names the problem and what to do.
 */
public final class PackageException extends RuntimeException {
    public enum Kind {
        BAD_INPUT(2), FAILED(1);

        private final int exitCode;

        Kind(int exitCode) { this.exitCode = exitCode; }

        public int exitCode() { return exitCode; }
    }

    private final Kind kind;

    public PackageException(Kind kind, String message) {
        this(kind, message, null);
    }

    public PackageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static PackageException badInput(String message) { return new PackageException(Kind.BAD_INPUT, message); }

    public static PackageException failed(String message, Throwable cause) { return new PackageException(Kind.FAILED, message, cause); }

    public Kind kind() { return kind; }
}
