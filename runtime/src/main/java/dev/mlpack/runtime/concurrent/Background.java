package dev.mlpack.runtime.concurrent;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work started on another thread, with its failure rethrown as it was thrown there. */
public final class Background {
    private Background() {}

    /**
     * The result of {@code work}, once done: an {@link IOException}, unchecked exception or error it threw is thrown as
     * it is, any other checked exception wrapped in an IOException; {@code doing} names the work for an interrupt.
     *
     * @throws IOException also when this thread is interrupted while waiting (its interrupt flag is set again)
     */
    public static <T> T await(Future<T> work, String doing) throws IOException {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + doing, e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IOException(e.getCause());
            }
        }
    }
}
