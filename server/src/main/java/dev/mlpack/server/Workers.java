package dev.mlpack.server;

import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageTooLargeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the CPU work runs: decoding on {@code decoders} platform threads, inference on one platform thread per
 * interpreter. Requests themselves run on virtual threads, which must not do long native calls (a virtual thread in
 * a native call holds one of the few carrier threads, and with them the server's ability to answer {@code /ping});
 * they hand each image to these pools and wait, parked, for the result or for their deadline. Decoding an image and
 * inferring another overlap, so one worker is kept busy by decoding on the other cores.
 *
 * <p>A request that runs past its deadline stops waiting at once; what it had queued is cancelled, and an image
 * already being decoded or inferred finishes (one image is a bounded amount of work) before the request gives its
 * memory back.
 */
final class Workers implements AutoCloseable {
    /** Far longer than one image takes to decode or infer, and short enough to stay inside Heroku's 30 s after SIGTERM. */
    private static final long TERMINATION_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final Predictor predictor;
    private final MemoryBudget budget;
    private final ExecutorService decoders;
    private final ExecutorService inference;

    Workers(Predictor predictor, MemoryBudget budget, int decoders) {
        this.predictor = predictor;
        this.budget = budget;
        this.decoders = Executors.newFixedThreadPool(decoders, named("decode"));
        this.inference = Executors.newFixedThreadPool(predictor.workers(), named("infer"));
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * One image's step, queued on a pool. It records whether it has started itself: a {@link Future} cancelled while
     * running reports done at once though its thread is still decoding or inferring, which would let the request give
     * back memory, or the server free the interpreters, under it.
     */
    static final class Step<T> implements Callable<T> {
        private static final int QUEUED = 0, RUNNING = 1, FINISHED = 2, CANCELLED = 3;
        private final Callable<T> work;
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private final CountDownLatch finished = new CountDownLatch(1);

        Step(Callable<T> work) {
            this.work = work;
        }

        @Override
        public T call() throws Exception {
            if (!state.compareAndSet(QUEUED, RUNNING)) return null; // cancelled before a thread took it
            try {
                return work.call();
            } finally {
                state.set(FINISHED);
                finished.countDown();
            }
        }

        /** Keeps it from starting if it has not; true when it is not running. */
        boolean cancelIfQueued() {
            return state.compareAndSet(QUEUED, CANCELLED) || state.get() != RUNNING;
        }

        /** Keeps it from starting, or waits until it has finished. */
        void cancelOrAwait() {
            if (cancelIfQueued()) return;
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** One request's work: what it queued, so that it can wait for what is still running before it frees its memory. */
    final class Batch implements AutoCloseable {
        private final Deadline deadline;
        private final List<Step<?>> steps = new ArrayList<>();

        private Batch(Deadline deadline) {
            this.deadline = deadline;
        }

        /** Decodes (or converts) and classifies {@code items} in order, one at a time. */
        List<Predictor.Scores> run(List<RequestItem> items) throws InterruptedException {
            List<Predictor.Scores> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                String name = items.size() == 1 ? "image" : "image " + (i + 1);
                Predictor.ModelInput input = switch (items.get(i)) {
                    case TfServing.Tensor t -> predictor.input(t);
                    case ImageRequests.ImageFile f -> await(decoders, () -> decode(f, name), "while decoding its images");
                };
                out.add(await(inference, () -> {
                    if (deadline.passed()) throw deadline.exceeded("while waiting for a worker");
                    return predictor.infer(input);
                }, "while waiting for a worker"));
            }
            return out;
        }

        private Predictor.ModelInput decode(ImageRequests.ImageFile f, String name) throws InterruptedException {
            try (MemoryBudget.Claim claim = budget.decodeClaim()) {
                return predictor.decode(f.data(), f.offset(), f.length(), name, bytes -> {
                    try {
                        claim.resize(bytes, deadline, "decoding " + name);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw HttpError.shuttingDown();
                    }
                });
            } catch (ImageTooLargeException e) {
                throw HttpError.tooLarge(e.getMessage());
            } catch (ImageDecodeException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }

        private <T> T await(ExecutorService pool, Callable<T> work, String stage) throws InterruptedException {
            Step<T> step = new Step<>(work);
            steps.add(step);
            Future<T> future = pool.submit(step);
            try {
                return future.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw deadline.exceeded(stage);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Cancels what has not started; true when nothing of this request is still running. */
        boolean cancelQueued() {
            boolean quiet = true;
            for (Step<?> step : steps) quiet &= step.cancelIfQueued();
            return quiet;
        }

        /** Cancels what has not started and waits for what has. */
        @Override
        public void close() {
            for (Step<?> step : steps) step.cancelOrAwait();
        }
    }

    Batch batch(Deadline deadline) {
        return new Batch(deadline);
    }

    /**
     * Stops both pools and waits (5 s at most, for both) for the images still being decoded or inferred, so
     * that the interpreters are not freed under a native call that an interrupt cannot stop.
     */
    @Override
    public void close() {
        decoders.shutdownNow();
        inference.shutdownNow();
        try {
            long end = System.nanoTime() + TERMINATION_NANOS;
            decoders.awaitTermination(TERMINATION_NANOS, TimeUnit.NANOSECONDS);
            inference.awaitTermination(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
