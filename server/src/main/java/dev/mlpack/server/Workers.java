package dev.mlpack.server;

import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageTooLargeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
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

    /** One request's work: what it queued, so that it can wait for what is still running before it frees its memory. */
    final class Batch implements AutoCloseable {
        private final Deadline deadline;
        private final List<Future<?>> started = new ArrayList<>();

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
                    case ImageRequests.ImageFile f -> await(decoders.submit(() -> decode(f, name)), "while decoding its images");
                };
                out.add(await(inference.submit(() -> {
                    if (deadline.passed()) throw deadline.exceeded("while waiting for a worker");
                    return predictor.infer(input);
                }), "while waiting for a worker"));
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

        private <T> T await(Future<T> future, String stage) throws InterruptedException {
            started.add(future);
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
            for (Future<?> f : started) {
                f.cancel(false);
                quiet &= f.isDone();
            }
            return quiet;
        }

        /** Cancels what has not started and waits for what has. */
        @Override
        public void close() {
            for (Future<?> f : started) f.cancel(false);
            boolean interrupted = false;
            for (Future<?> f : started) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException | CancellationException e) {
                        break;
                    }
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    Batch batch(Deadline deadline) {
        return new Batch(deadline);
    }

    @Override
    public void close() {
        decoders.shutdownNow();
        inference.shutdownNow();
    }
}
