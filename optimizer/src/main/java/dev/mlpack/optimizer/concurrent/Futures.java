package dev.mlpack.optimizer.concurrent;

import dev.mlpack.optimizer.errors.ConversionException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work done on other threads, with its failures rethrown as they were thrown there. */
public final class Futures {
    private Futures() {}

    /**
     * The result of {@code future}. A failure of the work is rethrown unwrapped (a conversion error stays a
     * conversion error, with its kind); an interrupt becomes an internal error saying what was being waited for.
     *
     * @param doing what the work does, e.g. {@code "loading images"}
     */
    public static <T> T await(Future<T> future, String doing) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConversionException(ConversionException.Kind.INTERNAL, "interrupted while " + doing, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }
}
