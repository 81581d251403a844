package dev.mlpack.optimizer.tflite;

import dev.mlpack.optimizer.concurrent.Futures;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Runs a model the converter has just written, in memory, for the measurements a conversion makes
 * (calibration, pruning statistics, scoring range methods). The model is the converter's own output, so an
 * interpreter failure is an internal error naming the run; the body's own conversion errors pass through.
 */
public final class MeasurementRun {
    private MeasurementRun() {}

    /** Measures one input on an interpreter that only the calling worker uses. */
    @FunctionalInterface
    public interface Measurement<R> {
        R measure(TfliteInterpreter interpreter, int input);
    }

    /** Receives each input's measurement, in input order, on the thread that started the run. */
    @FunctionalInterface
    public interface Merge<R> {
        void accept(int input, R measured);
    }

    /** One interpreter with {@code options} on all cores (its kernels' own threads). */
    public static <T> T run(byte[] model, InterpreterOptions options, String purpose, Function<TfliteInterpreter, T> body) {
        try (TfliteModel loaded = TfliteModel.fromBytes(model, purpose);
             TfliteInterpreter interpreter = loaded.newInterpreter(options.withThreads(Runtime.getRuntime().availableProcessors()))) {
            return body.apply(interpreter);
        } catch (RuntimeException e) {
            throw internal(purpose, e);
        }
    }

    /**
     * Measures inputs {@code 0 .. count-1} on {@code workers} interpreters at once, one thread each, and hands the
     * measurements to {@code merge} in input order on the calling thread. Whole inputs in parallel rather than one
     * interpreter's kernels on several threads: a kernel's threads wait for each other at every op, which on a busy
     * machine costs more than they save (XNNPACK on 2 threads ran a MobileNet 7x slower than on 1 when other
     * processes shared the two cores). Since the merge sees the inputs in order, what it accumulates does not depend
     * on {@code workers}. At most {@code 2 * workers} measurements wait to be merged, so memory stays bounded.
     *
     * @param options the interpreters' options; their thread count is replaced by 1
     */
    public static <R> void forEachInput(byte[] model, InterpreterOptions options, String purpose, int count, int workers,
                                        Measurement<R> measurement, Merge<R> merge) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        InterpreterOptions oneThread = options.withThreads(1);
        try (TfliteModel loaded = TfliteModel.fromBytes(model, purpose)) {
            int threads = Math.min(workers, count);
            if (threads <= 1) {
                try (TfliteInterpreter interpreter = loaded.newInterpreter(oneThread)) {
                    for (int i = 0; i < count; i++) merge.accept(i, measurement.measure(interpreter, i));
                }
                return;
            }
            new ParallelRun<>(loaded, oneThread, count, threads, measurement).mergeInOrder(merge, purpose);
        } catch (RuntimeException e) {
            throw internal(purpose, e);
        }
    }

    private static RuntimeException internal(String purpose, RuntimeException e) {
        if (e instanceof ConversionException) return e;
        return new ConversionException(ConversionException.Kind.INTERNAL, purpose + " failed: " + e.getMessage(), e);
    }

    /**
     * The workers of {@link #forEachInput}: each takes the next input index, measures it on its own interpreter and
     * completes that input's slot; the calling thread merges the slots in order. Indices are taken in increasing
     * order, so the lowest unmerged input always holds a permit and completes: the lookahead bound cannot deadlock.
     */
    private static final class ParallelRun<R> {
        private final TfliteModel model;
        private final InterpreterOptions options;
        private final Measurement<R> measurement;
        private final AtomicReferenceArray<CompletableFuture<R>> slots; // null once merged
        private final AtomicInteger next = new AtomicInteger();
        private final Semaphore lookahead;
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean stopped;

        ParallelRun(TfliteModel model, InterpreterOptions options, int count, int workers, Measurement<R> measurement) {
            this.model = model;
            this.options = options;
            this.measurement = measurement;
            this.slots = new AtomicReferenceArray<>(count);
            for (int i = 0; i < count; i++) slots.set(i, new CompletableFuture<>());
            this.lookahead = new Semaphore(2 * workers);
            for (int w = 0; w < workers; w++) {
                Thread t = new Thread(this::work, "mlpack-measurement-" + (w + 1));
                t.setDaemon(true);
                threads.add(t);
            }
        }

        void mergeInOrder(Merge<R> merge, String purpose) {
            threads.forEach(Thread::start);
            try {
                for (int i = 0; i < slots.length(); i++) {
                    merge.accept(i, Futures.await(slots.get(i), purpose));
                    slots.set(i, null); // merged: let the measurement go
                    lookahead.release();
                }
            } finally {
                stopped = true;
                lookahead.release(threads.size()); // wakes workers waiting for a permit, so that they see the stop
                for (Thread t : threads) joinUninterruptibly(t);
            }
        }

        private void work() {
            try (TfliteInterpreter interpreter = model.newInterpreter(options)) {
                while (!stopped) {
                    lookahead.acquireUninterruptibly();
                    int i = next.getAndIncrement();
                    if (stopped || i >= slots.length()) return;
                    R measured = measurement.measure(interpreter, i);
                    slots.get(i).complete(measured); // not merged yet: merging waits for this very slot
                }
            } catch (RuntimeException | Error e) {
                // No input after this one can be measured by this worker: fail every slot not yet done, so that
                // the merge stops at the first of them instead of waiting forever.
                for (int i = 0; i < slots.length(); i++) {
                    CompletableFuture<R> slot = slots.get(i);
                    if (slot != null) slot.completeExceptionally(e);
                }
            }
        }

        private static void joinUninterruptibly(Thread t) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
