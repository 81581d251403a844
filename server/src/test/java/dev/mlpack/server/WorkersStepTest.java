package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A request past its deadline gives its memory back only when none of its images is still being decoded or inferred,
 * and the server frees its interpreters only after them: a step knows whether it runs, which a cancelled Future does not.
 */
class WorkersStepTest {

    @Test
    void aRunningStepIsNotQuietAndIsWaitedFor() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();
            Workers.Step<String> step = new Workers.Step<>(() -> {
                running.countDown();
                release.await();
                finished.set(true);
                return "done";
            });
            pool.submit(step);
            assertTrue(running.await(5, TimeUnit.SECONDS));
            assertFalse(step.cancelIfQueued(), "still running: its memory is in use");
            Thread releaser = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                release.countDown();
            });
            step.cancelOrAwait();
            assertTrue(finished.get(), "cancelOrAwait returned before the step finished");
            assertTrue(step.cancelIfQueued(), "finished: quiet");
            releaser.join();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aQueuedStepCancelledNeverRuns() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            pool.submit(() -> {
                release.await();
                return null;
            });
            AtomicBoolean ran = new AtomicBoolean();
            Workers.Step<String> queued = new Workers.Step<>(() -> {
                ran.set(true);
                return "ran";
            });
            Future<String> future = pool.submit(queued);
            assertTrue(queued.cancelIfQueued(), "not started: quiet");
            queued.cancelOrAwait(); // returns at once
            release.countDown();
            assertNull(future.get(5, TimeUnit.SECONDS));
            assertFalse(ran.get(), "a cancelled step does no work when a thread reaches it");
            assertEquals(0, pool.shutdownNow().size());
        } finally {
            pool.shutdownNow();
        }
    }
}
