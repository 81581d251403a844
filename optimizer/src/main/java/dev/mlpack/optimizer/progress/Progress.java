package dev.mlpack.optimizer.progress;

/**
 * Where library code reports progress, so that it never prints: the CLI renders tasks as progress
 * bars, tests and servers pass {@link #none()}.
 *
 * <p>Library code calls {@link #start} once per long-running step and closes the task when the
 * step ends, successfully or not:
 *
 * <pre>{@code
 * try (Task task = progress.start("Calibrating", images.size(), "img")) {
 *     for (...) { ...; task.step(1); }
 * }
 * }</pre>
 *
 * <p>Implementations must accept {@link #start} from any thread; a {@link Task} is used by one
 * thread at a time (the one that started it, unless documented otherwise by the caller).
 */
public interface Progress {

    /**
     * Starts a task.
     *
     * @param name what is being done, a few words, e.g. {@code "Decoding images"}
     * @param total how many units the task has, or 0 or less when unknown
     * @param unit the unit's short name, e.g. {@code "img"}
     */
    Task start(String name, long total, String unit);

    /** Reports nothing. */
    static Progress none() {
        return NoProgress.INSTANCE;
    }
}
