package dev.mlpack.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * Watches the open connections from one thread, twice a second, for what Jetty does not bound by itself:
 *
 * <ul>
 *   <li>the time to send a request's headers: a connection whose request has started to arrive (bytes in since its last
 *       answer, or since it opened) but has not reached the handler within {@code headerTimeout} gets a 408 (JSON) and is
 *       closed, so that
 *       clients sending their headers a byte at a time ("slowloris") hold a connection for seconds, not forever. Jetty
 *       parses headers without a thread, so such clients cost no thread while they last; the cap on connections and
 *       this timeout bound what they cost in all. A new connection that sends nothing gets the same time;
 *   <li>during the drain after SIGTERM, connections without a request in the handler: closed once idle (or sending
 *       headers) for {@link #DRAIN_IDLE_NANOS}, since a keep-alive client that was about to send its next request has
 *       had time to send it and get its answer (with {@code Connection: close}) instead of having the connection
 *       vanish under it.
 * </ul>
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {
    static final long SWEEP_MILLIS = 500;
    static final long DRAIN_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final class State {
        final long opened = System.nanoTime();
        volatile boolean inRequest;
        volatile boolean answeredAny;
        volatile long idleSince = opened;
        volatile long bytesAtIdle;
        volatile long partialSince; // when bytes of the next request were first seen; 0 = none yet
    }

    private final Map<Connection, State> open = new ConcurrentHashMap<>();
    private final long headerTimeoutNanos;
    private final byte[] timeoutAnswer;
    private final IntConsumer onHeaderTimeouts;
    private final ScheduledExecutorService sweeper;
    private volatile boolean draining;

    /** @param onHeaderTimeouts told how many connections one sweep closed for a header timeout */
    ConnectionGuard(java.time.Duration headerTimeout, IntConsumer onHeaderTimeouts) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        String body = "{\"error\":\"the request headers did not arrive within " + headerTimeout.toMillis() / 1000.0
                + " s; send them at once\"}";
        this.timeoutAnswer = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
        this.onHeaderTimeouts = onHeaderTimeouts;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "connection-guard");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, new State());
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** Open connections now. */
    int count() { return open.size(); }

    /** A request on {@code connection} reached the handler: its headers are in. */
    void requestStarted(Connection connection) {
        State s = open.get(connection);
        if (s != null) s.inRequest = true;
    }

    /** The request's answer was written: the connection is idle until its next request starts to arrive. */
    void requestEnded(Connection connection) {
        State s = open.get(connection);
        if (s == null) return;
        s.bytesAtIdle = connection.getBytesIn();
        s.idleSince = System.nanoTime();
        s.partialSince = 0;
        s.answeredAny = true;
        s.inRequest = false;
    }

    /** From now on, idle connections are closed (see the class comment). */
    void drain() {
        draining = true;
    }

    void sweep() {
        long now = System.nanoTime();
        int timedOut = 0;
        for (Map.Entry<Connection, State> e : open.entrySet()) {
            State s = e.getValue();
            if (s.inRequest) continue;
            Connection c = e.getKey();
            boolean arriving = c.getBytesIn() > s.bytesAtIdle;
            if (arriving && s.partialSince == 0) s.partialSince = now;
            long headerStart = arriving ? s.partialSince : s.answeredAny ? 0 : s.opened;
            if (headerStart != 0 && now - headerStart > headerTimeoutNanos) {
                timedOut++;
                answerTimeout(c);
            } else if (draining && now - (arriving ? s.partialSince : s.idleSince) > DRAIN_IDLE_NANOS) {
                c.getEndPoint().close();
            }
        }
        if (timedOut > 0) onHeaderTimeouts.accept(timedOut);
    }

    /**
     * Writes a 408 with a JSON error straight to the connection, then closes it. Nothing else writes to it: no request
     * has reached the handler. The endpoint, not the connection, is closed: closing the connection would have Jetty
     * answer the half-read request with a 500 of its own.
     */
    private void answerTimeout(Connection c) {
        try {
            EndPoint end = c.getEndPoint();
            end.write(Callback.from(end::close, failure -> end.close()), ByteBuffer.wrap(timeoutAnswer));
        } catch (RuntimeException e) { // e.g. a write already pending: the client reads nothing, the connection still goes
            c.getEndPoint().close();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
