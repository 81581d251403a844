package dev.mlpack.server;

/**
 * A request the server answers with an error status and {@code {"error": message}}. The message is one line
 * meant for the client: what was wrong and what to send instead; never a stack trace.
 */
final class HttpError extends RuntimeException {
    final int status;
    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    final int retryAfter;

    HttpError(int status, String message) {
        this(status, message, 0);
    }

    HttpError(int status, String message, int retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    static HttpError badRequest(String message) { return new HttpError(400, message); }

    static HttpError tooLarge(String message) { return new HttpError(413, message); }

    static HttpError unsupported(String message) { return new HttpError(415, message); }

    static HttpError busy(String message) { return new HttpError(503, message, 1); }
}
