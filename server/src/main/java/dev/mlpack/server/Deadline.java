package dev.mlpack.server;

import java.time.Duration;

/**
 * The moment a request must have its answer by ({@link System#nanoTime()} based), covering the reading of its body,
 * the decoding of its images and their inference. Past it, the request is answered 503 and its work is dropped.
 *
 * @param atNanos the deadline in {@link System#nanoTime()} terms
 * @param limit the time allowed, for messages
 */
record Deadline(long atNanos, Duration limit) {

    /** {@code limit} after {@code startNanos}. */
    static Deadline after(long startNanos, Duration limit) {
        return new Deadline(startNanos + limit.toNanos(), limit);
    }

    long remainingNanos() {
        return atNanos - System.nanoTime();
    }

    boolean passed() {
        return remainingNanos() <= 0;
    }

    /** The 503 a request gets when {@code stage} runs past the deadline. */
    HttpError exceeded(String stage) {
        return HttpError.deadline("the request took longer than its " + seconds() + " s deadline " + stage
                + " (--timeout); retry later, or send fewer or smaller images");
    }

    private String seconds() {
        long ms = limit.toMillis();
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
