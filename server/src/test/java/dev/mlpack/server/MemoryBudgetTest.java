package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One budget for bodies and decoding: claims wait their turn until their deadline, and bodies leave decoding its reserve. */
class MemoryBudgetTest {
    static Deadline in(long millis) {
        return Deadline.after(System.nanoTime(), Duration.ofMillis(millis));
    }

    @Test
    void theBudgetIsTheHeapLessTheServersShareHalfOfItKeptForDecoding() {
        MemoryBudget b = MemoryBudget.forHeap(160L << 20);
        assertEquals(120L << 20, b.total());
        assertEquals(60L << 20, b.decodeReserve());
        assertEquals(60L << 20, b.bodyLimit());
        assertEquals((96L - 32) << 20, MemoryBudget.forHeap(96L << 20).total(), "keeps 32 MB when a quarter is less");
    }

    @Test
    void aClaimWaitsUntilTheBytesAreFreeAndGivesUpAtItsDeadlineWith503() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 100);
        MemoryBudget.Claim first = b.claim(MemoryBudget.Kind.DECODE, 80, in(1000), "a");
        long t0 = System.nanoTime();
        HttpError e = assertThrows(HttpError.class, () -> b.claim(MemoryBudget.Kind.DECODE, 30, in(200), "the second image"));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190), "waited for its deadline");
        assertEquals(503, e.status);
        assertEquals("1", e.headers.get("Retry-After"));
        assertTrue(e.getMessage().contains("timed out waiting for memory for the second image"), e.getMessage());

        CompletableFuture<MemoryBudget.Claim> waiting = CompletableFuture.supplyAsync(() -> claim(b, MemoryBudget.Kind.DECODE, 30));
        Thread.sleep(100);
        assertFalse(waiting.isDone());
        first.close();
        assertEquals(30, waiting.get(5, TimeUnit.SECONDS).bytes());
        assertEquals(30, b.inUse());
    }

    @Test
    void moreThanAClaimCouldEverGetIs413AtOnce() {
        MemoryBudget b = new MemoryBudget(100, 40);
        HttpError body = assertThrows(HttpError.class, () -> b.claim(MemoryBudget.Kind.BODY, 61, in(1000), "the request body"));
        assertEquals(413, body.status);
        assertTrue(body.getMessage().startsWith("the request body needs 0.0 MB of memory, more than this server can give one request"), body.getMessage());
        assertEquals(413, assertThrows(HttpError.class, () -> b.claim(MemoryBudget.Kind.DECODE, 41, in(1000), "decoding")).status);
        assertEquals(0, b.inUse());
    }

    @Test
    void bodiesNeverTakeTheDecodeReserveSoHeldBodiesCannotStarveDecoding() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 40);
        MemoryBudget.Claim bodies = b.claim(MemoryBudget.Kind.BODY, 60, in(1000), "bodies");
        assertEquals(503, assertThrows(HttpError.class, () -> b.claim(MemoryBudget.Kind.BODY, 1, in(50), "one more body")).status);
        try (MemoryBudget.Claim decode = b.claim(MemoryBudget.Kind.DECODE, 40, in(50), "an image")) {
            assertEquals(100, b.inUse());
        }
        bodies.close();
        assertEquals(0, b.inUse());
    }

    @Test
    void growingAClaimGivesBackWhatItHoldsBeforeWaiting() throws Exception {
        MemoryBudget b = new MemoryBudget(100, 100);
        MemoryBudget.Claim other = b.claim(MemoryBudget.Kind.DECODE, 50, in(1000), "other");
        MemoryBudget.Claim mine = b.claim(MemoryBudget.Kind.DECODE, 50, in(1000), "mine");
        // mine needs 60 now: it must not keep its 50 while it waits, or two claims growing at once would deadlock.
        CompletableFuture<Void> grow = CompletableFuture.runAsync(() -> {
            try {
                mine.resize(60, in(5000), "mine");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertEquals(50, b.inUse(), "mine gave its 50 back while waiting");
        other.close();
        grow.get(5, TimeUnit.SECONDS);
        assertEquals(60, b.inUse());
        mine.resize(10, in(10), "mine");
        assertEquals(10, b.inUse(), "shrinking gives back at once");
        mine.close();
        assertEquals(0, b.inUse());
    }

    private static MemoryBudget.Claim claim(MemoryBudget b, MemoryBudget.Kind kind, long bytes) {
        try {
            return b.claim(kind, bytes, in(5000), "test");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
