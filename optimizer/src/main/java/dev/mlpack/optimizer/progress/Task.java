package dev.mlpack.optimizer.progress;

/** One running task of a {@link Progress}: advanced with {@link #step}, ended with {@link #close}. */
public interface Task extends AutoCloseable {

    /** Advances by {@code n} units. */
    void step(long n);

    /** Advances by one unit. */
    default void step() {
        step(1);
    }

    /** Ends the task; closing twice has no further effect. Never throws. */
    @Override
    void close();
}
