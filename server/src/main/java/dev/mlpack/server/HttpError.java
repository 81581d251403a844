package dev.mlpack.server;

/**
 * A request the server answers with an error status and {@code {"error": message}}. The message is one line
 * meant for the client: what was wrong and what to send instead; never a stack trace.
 */
final class HttpError extends RuntimeException {
    /** Why a 503 was given, for the metrics: the queue was full, the memory or a worker did not free up, or the deadline passed. */
    enum Reason { NONE, BUSY, DEADLINE, SHUTTING_DOWN }

    final int status;
    final Reason reason;
    /** Headers the answer carries: {@code Retry-After} for a 503, {@code Allow} for a 405. */
    final java.util.Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Reason.NONE, java.util.Map.of());
    }

    private HttpError(int status, String message, Reason reason, java.util.Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.headers = headers;
    }

    static HttpError badRequest(String message) { return new HttpError(400, message); }

    static HttpError tooLarge(String message) { return new HttpError(413, message); }

    static HttpError unsupported(String message) { return new HttpError(415, message); }

    static HttpError notFound(String message) { return new HttpError(404, message); }

    /** 405, naming the methods the path takes in {@code Allow}. */
    static HttpError methodNotAllowed(String method, String allowed) {
        return new HttpError(405, "method " + method + " not allowed here: use " + allowed, Reason.NONE, java.util.Map.of("Allow", allowed));
    }

    /** The server is at its stated capacity: the client may retry in a second. */
    static HttpError busy(String message) { return retryable(message, Reason.BUSY); }

    /** The request ran out of time; its work was dropped. */
    static HttpError deadline(String message) { return retryable(message, Reason.DEADLINE); }

    /** The server is draining after SIGTERM; another instance (or this one restarted) will answer. */
    static HttpError shuttingDown() {
        return retryable("server is shutting down; retry, another instance will answer", Reason.SHUTTING_DOWN);
    }

    private static HttpError retryable(String message, Reason reason) {
        return new HttpError(503, message, reason, java.util.Map.of("Retry-After", "1"));
    }
}
