package dev.mlpack.server;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one memory budget of the server, derived from the heap the process has: request bodies in flight (and what
 * parsing them copies) and the decoding of images (the decoders' buffers, native or on the heap, and the resized
 * pixels) both take their bytes from it before they hold them, so the memory stays bounded whatever clients send.
 *
 * <p>Claims wait, first come first served, until the bytes are free or the request's deadline passes (then 503 with
 * {@code Retry-After}); a claim larger than it could ever get is refused at once (413). Bodies may take the budget
 * only up to {@link #bodyLimit()}: the rest, {@link #decodeReserve()}, is kept for decoding, so that requests holding
 * their bodies while they wait to decode can never starve each other of the memory to decode (a decode holds nothing
 * while it waits, and is never larger than the reserve).
 */
final class MemoryBudget {
    enum Kind { BODY, DECODE }

    /** The heap the server itself needs besides the budget: Jetty's buffers, the JVM's own, JSON answers, metrics. */
    static final long MIN_SERVER_HEAP = 32L << 20;

    private final long total;
    private final long decodeReserve;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final ArrayDeque<Object> bodyQueue = new ArrayDeque<>();
    private final ArrayDeque<Object> decodeQueue = new ArrayDeque<>();
    private long bodies;
    private long decodes;

    MemoryBudget(long total, long decodeReserve) {
        if (total <= 0 || decodeReserve <= 0 || decodeReserve > total) {
            throw new IllegalArgumentException("budget " + total + " with a decode reserve of " + decodeReserve);
        }
        this.total = total;
        this.decodeReserve = decodeReserve;
    }

    /** The heap less the server's own share (a quarter, at least 32 MB); half of it is kept for decoding. */
    static MemoryBudget forHeap(long maxHeapBytes) {
        long budget = Math.max(16L << 20, maxHeapBytes - Math.max(MIN_SERVER_HEAP, maxHeapBytes / 4));
        return new MemoryBudget(budget, budget / 2);
    }

    long total() { return total; }

    /** The most that all bodies together, and so any one request's body, may hold. */
    long bodyLimit() { return total - decodeReserve; }

    /** The part bodies never take; also the most one image's decoding may hold. */
    long decodeReserve() { return decodeReserve; }

    long inUse() {
        lock.lock();
        try {
            return bodies + decodes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code bytes} for {@code kind}, waiting for them until the deadline.
     *
     * @param what names the memory in the error messages, e.g. "the request body"
     * @throws HttpError 413 if more than this kind can ever hold, 503 if the bytes do not free up before the deadline
     */
    Claim claim(Kind kind, long bytes, Deadline deadline, String what) throws InterruptedException {
        Claim claim = new Claim(kind);
        claim.resize(bytes, deadline, what);
        return claim;
    }

    /** An empty claim for decoding, grown or shrunk as the decoder announces its steps. */
    Claim decodeClaim() {
        return new Claim(Kind.DECODE);
    }

    private long limit(Kind kind) {
        return kind == Kind.BODY ? bodyLimit() : decodeReserve;
    }

    private void take(Kind kind, long bytes, Deadline deadline, String what) throws InterruptedException {
        if (bytes > limit(kind)) {
            throw HttpError.tooLarge(String.format(Locale.ROOT, "%s needs %s of memory, more than this server can give one"
                    + " request (%s, from its heap size): send a smaller image or fewer at once", what, mb(bytes), mb(limit(kind))));
        }
        ArrayDeque<Object> queue = kind == Kind.BODY ? bodyQueue : decodeQueue;
        Object ticket = new Object();
        lock.lockInterruptibly();
        try {
            queue.addLast(ticket);
            try {
                while (queue.peekFirst() != ticket || !fits(kind, bytes)) {
                    long left = deadline.remainingNanos();
                    if (left <= 0) {
                        throw HttpError.busy("timed out waiting for memory for " + what + " (" + mb(bytes)
                                + "; the server is at its capacity); retry later");
                    }
                    released.awaitNanos(left);
                }
                if (kind == Kind.BODY) bodies += bytes;
                else decodes += bytes;
            } finally {
                queue.remove(ticket);
                released.signalAll(); // the next in line may fit now
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(Kind kind, long bytes) {
        boolean inTotal = bodies + decodes + bytes <= total;
        return kind == Kind.DECODE ? inTotal : inTotal && bodies + bytes <= bodyLimit();
    }

    private void give(Kind kind, long bytes) {
        if (bytes == 0) return;
        lock.lock();
        try {
            if (kind == Kind.BODY) bodies -= bytes;
            else decodes -= bytes;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    /** Bytes held from the budget; closing gives them back. Not thread-safe: one request's thread uses it. */
    final class Claim implements AutoCloseable {
        private final Kind kind;
        private long bytes;

        private Claim(Kind kind) {
            this.kind = kind;
        }

        long bytes() { return bytes; }

        /**
         * Makes this claim hold {@code newBytes}: less gives back the difference at once; more gives back what it holds
         * before waiting for the new amount, so that no claim waits while holding memory another may need.
         */
        void resize(long newBytes, Deadline deadline, String what) throws InterruptedException {
            if (newBytes <= bytes) {
                give(kind, bytes - newBytes);
                bytes = newBytes;
                return;
            }
            give(kind, bytes);
            bytes = 0;
            take(kind, newBytes, deadline, what);
            bytes = newBytes;
        }

        @Override
        public void close() {
            give(kind, bytes);
            bytes = 0;
        }
    }
}
