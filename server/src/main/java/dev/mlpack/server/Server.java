package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.runtime.concurrent.Background;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The inference server: Jetty's HTTP/1.1 engine (core API, no servlets) in front of a {@link Predictor}. Routes:
 *
 * <pre>
 *   GET  /                              upload page (self-contained HTML, works offline)
 *   GET  /ping                          {"status":"ok"} once the model is loaded
 *   POST /predict[?top_k=N]             image body, multipart field "image" (1..n), or {"images":[base64...]}
 *   GET  /metrics                       Prometheus text
 *   GET  /v1/models/NAME                TF Serving model status (also /versions/1)
 *   GET  /v1/models/NAME/metadata       TF Serving signature metadata
 *   POST /v1/models/NAME:predict        TF Serving "instances" (row) or "inputs" (columnar)
 * </pre>
 *
 * <p>What bounds it, so that slow, heavy or hostile clients cannot take it down:
 *
 * <ul>
 *   <li>connections: Jetty parses headers without holding a thread; {@link ConnectionGuard} closes a connection whose
 *       headers take longer than {@code --header-timeout}, and at most {@code --max-connections} are open. Requests run
 *       on virtual threads, so a slow upload parks a virtual thread, not one of a fixed pool;
 *   <li>admission: at most {@code workers + queue} prediction requests at once (more: 503 with {@code Retry-After});
 *   <li>memory: bodies and decoding take their bytes from one {@link MemoryBudget} before holding them;
 *   <li>time: every prediction request has a deadline ({@code --timeout}) covering its body, decoding and inference;
 *   <li>CPU: decoding and inference run on {@link Workers}' platform threads, so {@code /ping} and {@code /metrics}
 *       answer under full load.
 * </ul>
 *
 * <p>Every error is JSON {@code {"error": "..."}}, protocol errors included ({@link JsonErrorHandler}); an
 * unexpected failure is logged on stdout and answered 500 without details.
 */
public final class Server implements AutoCloseable {

    /** Written once: answering /ping loads no JSON classes, which keeps the first answer after boot quick. */
    private static final byte[] PING = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
    /** Largest request line plus headers (431 above): far more than any client sends but cookies of other apps. */
    static final int HEADER_LIMIT = 8 * 1024;
    /** An idle keep-alive connection is closed after this long (Heroku's router reuses its connections). */
    static final long IDLE_TIMEOUT_MS = 30_000;
    /** Platform threads for Jetty's acceptor, selector and housekeeping; requests run on virtual threads. */
    private static final int PLATFORM_THREADS = 8;

    private final ServerConfig config;
    private final Predictor predictor;
    private final MemoryBudget budget;
    private final Workers workers;
    private final ConnectionGuard guard;
    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final Semaphore admission;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Metrics metrics = new Metrics();
    private final PrintStream log;
    private final byte[] page;
    private final int queue;
    private final int decoders;
    private volatile boolean draining;
    private boolean closed;

    private Server(ServerConfig config, Predictor predictor, MemoryBudget budget, int queue, int decoders, PrintStream log, HttpEngine http)
            throws IOException {
        this.config = config;
        this.predictor = predictor;
        this.budget = budget;
        this.queue = queue;
        this.decoders = decoders;
        this.log = log;
        this.admission = new Semaphore(predictor.workers() + queue);
        this.page = Page.html(predictor.info().name(), config.topK());
        this.workers = new Workers(predictor, budget, decoders);
        this.guard = new ConnectionGuard(config.headerTimeout(), this::headerTimeouts);
        this.jetty = http.jetty();
        this.connector = http.connector();
        connector.addBean(guard);
        jetty.setErrorHandler(new JsonErrorHandler(HEADER_LIMIT, this::protocolError));
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return Server.this.handle(request, response, callback);
            }
        });
        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly();
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof BindException b) throw b;
            }
            throw e instanceof IOException io ? io : new IOException("cannot start the HTTP server: " + e.getMessage(), e);
        }
    }

    /** Jetty's server and connector, configured but not started, without the parts that need the model. */
    private record HttpEngine(org.eclipse.jetty.server.Server jetty, ServerConnector connector) {}

    private static HttpEngine prepareHttp(ServerConfig config) {
        tellJettyTheReferenceSize();
        QueuedThreadPool threads = new QueuedThreadPool(PLATFORM_THREADS, 2);
        threads.setName("http");
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("request-", 1).factory()));
        org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(HEADER_LIMIT);
        // Buffers on the heap, where the server's own share of it covers them, rather than in direct memory.
        http.setUseInputDirectByteBuffers(false);
        http.setUseOutputDirectByteBuffers(false);
        ServerConnector connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.setAcceptQueueSize(256);
        jetty.addConnector(connector);
        jetty.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
        return new HttpEngine(jetty, connector);
    }

    /** Jetty's property for how many object references share a cache line (it pads its queues by it). */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    /**
     * Unless told, Jetty works the reference size out by starting the platform MBean server and asking it whether
     * references are compressed: JMX costs about 60 ms of CPU, a sixth of the boot. The JVM compresses references
     * (4 bytes) whenever the heap is under 32 GB, so the answer is known without it. Set before Jetty's first class
     * initialises; a value given on the command line is kept.
     */
    private static void tellJettyTheReferenceSize() {
        int referenceBytes = Runtime.getRuntime().maxMemory() < 32L << 30 ? 4 : 8;
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, Integer.toString(64 / referenceBytes));
        }
    }

    /**
     * Loads the model, builds the interpreters and starts listening. Returns once {@code /ping} answers.
     *
     * @param log where the per-request lines go (stdout in production)
     * @throws IOException if the model cannot be read or the port cannot be bound
     * @throws IllegalArgumentException if the model cannot be served as configured
     */
    public static Server start(ServerConfig config, PrintStream log) throws IOException {
        return start(config, log, MemoryBudget.forHeap(Runtime.getRuntime().maxMemory()));
    }

    /** Like {@link #start(ServerConfig, PrintStream)} with a given memory budget (tests: a small one). */
    static Server start(ServerConfig config, PrintStream log, MemoryBudget budget) throws IOException {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        // One worker per core (container-aware); the memory budget, not the worker count, bounds the heap images take.
        int workers = config.workers() > 0 ? config.workers() : cores;
        // Enough waiting places for a few clients per worker.
        int queue = config.queue() >= 0 ? config.queue() : Math.max(16, 4 * workers);
        // The model loads (native code) on another thread while Jetty's classes initialise on this one: on two cores,
        // the boot takes the longer of the two rather than their sum.
        FutureTask<Predictor> loading = new FutureTask<>(() -> Predictor.load(config, workers));
        Thread.ofPlatform().name("model-load").start(loading);
        HttpEngine http;
        try {
            http = prepareHttp(config);
        } catch (RuntimeException | Error e) {
            closeWhenLoaded(loading);
            throw e;
        }
        Predictor predictor = loaded(loading);
        try {
            return new Server(config, predictor, budget, queue, cores, log, http);
        } catch (IOException | RuntimeException e) {
            predictor.close();
            throw e;
        }
    }

    private static Predictor loaded(FutureTask<Predictor> loading) throws IOException {
        return Background.await(loading, "loading the model");
    }

    private static void closeWhenLoaded(FutureTask<Predictor> loading) {
        try {
            loaded(loading).close();
        } catch (IOException | RuntimeException ignored) {
            // the failure being reported matters more
        }
    }

    /** The bound port (useful when the configuration asked for port 0). */
    public int port() { return connector.getLocalPort(); }

    public ServerConfig config() { return config; }

    /** Interpreters in the pool. */
    public int workers() { return predictor.workers(); }

    /** Prediction requests that may wait for a worker. */
    public int queue() { return queue; }

    /** The model's name, as in {@code /v1/models/NAME}. */
    public String modelName() { return predictor.info().name(); }

    /** Model input height in pixels. */
    public int inputHeight() { return predictor.pipeline().height(); }

    /** Model input width in pixels. */
    public int inputWidth() { return predictor.pipeline().width(); }

    MemoryBudget budget() { return budget; }

    /** One line describing what is being served and within which limits, printed once at startup. */
    public String describe() {
        var info = predictor.info();
        return String.format(Locale.ROOT, "model %s (%s, %dx%d %s%s input, %d classes from %s, preprocess %s, resize %s, xnnpack %s),"
                        + " %d workers x %d threads, %d decoders, queue %d; decoding: %s; memory budget %d MB (bodies up to %d MB,"
                        + " one image's decoding up to %d MB), images up to %.1f megapixels, %d a request, bodies up to %d MB;"
                        + " deadline %d s, headers %d s, %d connections", info.name(), config.model(), predictor.pipeline().height(),
                predictor.pipeline().width(), predictor.pipeline().grayscale() ? "grayscale " : "",
                predictor.input().dataType().name().toLowerCase(Locale.ROOT), predictor.classes(), predictor.scoring(),
                info.preprocess(), info.resize(), predictor.xnnpack() ? "int8" : "off", predictor.workers(), config.threadsPerWorker(),
                decoders, queue, predictor.decoder().describe(), budget.total() >> 20, budget.bodyLimit() >> 20,
                budget.decodeReserve() >> 20, config.maxPixels() / 1e6, config.maxImages(), config.maxBodyBytes() >> 20,
                config.timeout().toSeconds(), config.headerTimeout().toSeconds(), config.maxConnections());
    }

    /**
     * Drains and stops (SIGTERM): stops accepting connections; answers the requests in flight, and those still arriving
     * on open connections, with {@code Connection: close}; closes connections left idle; and returns when none is open, or after the configured drain time. The interpreters are
     * freed unless a request is still running (the process is about to exit then).
     */
    @Override
    public void close() {
        drain(() -> { });
    }

    /** {@link #close()}, telling {@code started} once every answer from then on says {@code Connection: close}. */
    public void drain(Runnable started) {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        long end = System.nanoTime() + config.drain().toNanos();
        int listeningPort = port();
        // The listening socket closes first, refusing new connections, and only then do answers say Connection: close.
        // The other way round, a client told to close could reconnect into the accept backlog just before the socket
        // closes: the kernel would have completed its connection and taken its request, then reset it unanswered.
        // Closed, not shut down: Jetty's graceful shutdown would also end keep-alive connections after their current
        // answer, even one whose headers went out without Connection: close, under a client's next request.
        connector.close();
        awaitRefusing(listeningPort);
        draining = true;
        guard.drain();
        started.run();
        try {
            while ((inFlight.get() > 0 || guard.count() > 0) && System.nanoTime() < end) Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopQuietly();
        if (inFlight.get() == 0) predictor.close();
    }

    /**
     * Returns once connecting to {@code port} is refused (or after a second). Closing the listening channel returns at
     * once, but while Jetty's acceptor thread is still inside {@code accept()} the kernel keeps the socket and goes on
     * completing connections into its backlog, to reset them later; on a loaded machine that lasts until the thread is
     * next scheduled. A probe that connects meanwhile is one more of those, closed at once.
     */
    private void awaitRefusing(int port) {
        String host = config.host().isEmpty() || config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < end) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), 100);
            } catch (IOException refused) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stopQuietly() {
        try {
            jetty.setStopTimeout(500);
            jetty.stop();
        } catch (Exception e) {
            log.println("at=warn msg=\"stopping the HTTP server: " + clean(e.toString(), 200) + "\"");
        }
        guard.close();
        workers.close();
    }

    // ------------------------------------------------------------------ dispatch

    /** One request being answered: what the log line and the metrics need, and what to release after the answer. */
    private static final class Call {
        final Request request;
        final long start;
        final Deadline deadline;
        final Deque<AutoCloseable> release = new ArrayDeque<>();
        Workers.Batch batch;
        String route = "other";
        int images;
        long bytesIn;
        boolean closeConnection;
        /** The handler read the request body to its end (a request without a body counts as read). */
        boolean bodyRead;

        Call(Request request, Deadline deadline) {
            this.request = request;
            this.start = request.getBeginNanoTime();
            this.deadline = deadline;
        }

        /** Releases {@code resource} after the answer is written, the last registered first. */
        <T extends AutoCloseable> T defer(T resource) {
            release.push(resource);
            return resource;
        }
    }

    private record Reply(int status, String contentType, byte[] body, Map<String, String> headers, HttpError.Reason reason) {
        Reply(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of(), HttpError.Reason.NONE);
        }
    }

    private boolean handle(Request request, Response response, Callback callback) {
        Connection connection = request.getConnectionMetaData().getConnection();
        guard.requestStarted(connection);
        inFlight.incrementAndGet();
        Call call = new Call(request, Deadline.after(request.getBeginNanoTime(), config.timeout()));
        try {
            Reply reply;
            String failure = null;
            try {
                reply = route(call);
            } catch (HttpError e) {
                reply = error(e);
            } catch (RequestBody.ClientGone e) {
                record(call, 499, null, e.getMessage());
                callback.failed(e);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply = error(HttpError.shuttingDown());
            } catch (RuntimeException | OutOfMemoryError e) {
                failure = e.toString();
                reply = error(500, "internal error; the server log has the details", HttpError.Reason.NONE, Map.of());
            }
            if (draining) call.closeConnection = true;
            record(call, reply.status, reply.reason, failure != null ? failure : reply.status >= 400 ? new String(reply.body, StandardCharsets.UTF_8) : null);
            // The request's place and memory are given back before its answer, so that a client sending its next request
            // as soon as it has the answer finds them free; unless an image of it is still being decoded or inferred
            // (it ran past its deadline), which must not keep the client waiting for its 503.
            if (call.batch == null || call.batch.cancelQueued()) releaseAll(call);
            send(call, response, callback, reply);
        } finally {
            releaseAll(call);
            guard.requestEnded(connection);
            inFlight.decrementAndGet();
        }
        return true;
    }

    private Reply route(Call call) throws InterruptedException {
        String path = call.request.getHttpURI().getPath();
        String method = call.request.getMethod();
        Route match = Route.of(path == null ? "" : path, predictor.info().name());
        call.route = match.name();
        return switch (match.kind()) {
            case PAGE -> only(method, "GET", () -> new Reply(200, "text/html; charset=utf-8", page));
            case PING -> only(method, "GET", () -> new Reply(200, "application/json", PING));
            case METRICS -> only(method, "GET", () -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.render(predictor, new Metrics.Gauges(admitted.get(), guard.count(), budget.inUse(), budget.total()))
                            .getBytes(StandardCharsets.UTF_8)));
            case TFS_STATUS -> only(method, "GET", () -> json(200, TfServing.status()));
            case TFS_METADATA -> only(method, "GET", () -> json(200, TfServing.metadata(predictor)));
            case PREDICT, TFS_PREDICT -> {
                if (!method.equals("POST")) throw HttpError.methodNotAllowed(method, "POST");
                yield predict(call, match.kind() == Route.Kind.TFS_PREDICT);
            }
            case UNKNOWN_MODEL, UNKNOWN_VERSION -> throw HttpError.notFound(match.detail() + "; this server serves '"
                    + predictor.info().name() + "' version " + TfServing.VERSION);
            case NOT_FOUND -> throw HttpError.notFound("no such path " + clean(path == null ? "" : path, 200)
                    + ": use GET /, GET /ping, POST /predict, GET /metrics or /v1/models/" + predictor.info().name());
        };
    }

    private Reply predict(Call call, boolean tfServing) throws InterruptedException {
        // During the drain a request still arrives on a connection opened before it, sent before its client could see a
        // Connection: close. It is served (its answer closes the connection, so each connection brings one at most):
        // refused with its body unread, its answer could be lost to the reset that closing over unread bytes causes.
        Request request = call.request;
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        // TF Serving's routes read JSON whatever the Content-Type says: curl -d sends a form type.
        ImageRequests.Kind kind = tfServing ? ImageRequests.Kind.JSON : ImageRequests.kind(contentType);
        int topK = tfServing ? 0 : topK(request.getHttpURI().getQuery());
        long declared = request.getLength();
        call.closeConnection = true; // until the body has been read: a connection with unread bytes cannot be reused
        if (declared > config.maxBodyBytes()) throw RequestBody.tooLarge(config.maxBodyBytes());
        if (!admission.tryAcquire()) {
            throw HttpError.busy("server busy: " + predictor.workers() + " workers and a queue of " + queue + " are full; retry later");
        }
        admitted.incrementAndGet();
        call.defer(() -> {
            admitted.decrementAndGet();
            admission.release();
        });
        long bodyBytes = declared >= 0 ? declared : config.maxBodyBytes();
        call.defer(budget.claim(MemoryBudget.Kind.BODY, bodyBytes * kind.memoryFactor, call.deadline, "the request body"));
        RequestBody body = RequestBody.read(request, declared, config.maxBodyBytes(), call.deadline);
        call.closeConnection = false;
        call.bodyRead = true;
        call.bytesIn = body.length();
        List<RequestItem> items;
        boolean columnar = false;
        if (tfServing) {
            TfServing.Predict p = TfServing.parse(body.data(), body.length(), predictor.instanceShape(), config.maxImages());
            items = p.items();
            columnar = p.columnar();
        } else {
            items = List.copyOf(ImageRequests.parse(contentType, body.data(), body.length(), config.maxImages()));
        }
        call.images = items.size();
        call.batch = call.defer(workers.batch(call.deadline));
        List<Predictor.Scores> scores = call.batch.run(items);
        Object result = !tfServing ? predictions(scores, topK) : columnar ? TfServing.outputs(scores) : TfServing.predictions(scores);
        return json(200, result);
    }

    /** One image: {"predictions": [...]}; several: {"results": [{"predictions": [...]}, ...]}. */
    private Map<String, Object> predictions(List<Predictor.Scores> scores, int topK) {
        if (scores.size() == 1) return Map.of("predictions", top(scores.getFirst().values(), topK));
        List<Object> results = new ArrayList<>(scores.size());
        for (Predictor.Scores s : scores) results.add(Map.of("predictions", top(s.values(), topK)));
        return Map.of("results", results);
    }

    private List<Map<String, Object>> top(float[] scores, int k) {
        int[] order = topIndices(scores, k);
        List<Map<String, Object>> out = new ArrayList<>(order.length);
        for (int index : order) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", predictor.label(index));
            m.put("index", index);
            m.put("score", scores[index]);
            out.add(m);
        }
        return out;
    }

    /**
     * The indices of the {@code k} highest scores, highest first, in {@link Float#compare}'s order; equal scores keep
     * their output order, so ties go to the lower index, as argmax does. An insertion into the {@code k} kept: one pass
     * over 1000 classes for the usual {@code top_k} of a few (sorting them all, boxed, cost a request more than its
     * JSON).
     */
    static int[] topIndices(float[] scores, int k) {
        int[] kept = new int[Math.min(k, scores.length)];
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            float s = scores[i];
            if (size == kept.length && (size == 0 || Float.compare(s, scores[kept[size - 1]]) <= 0)) continue;
            int at = size < kept.length ? size++ : size - 1;
            while (at > 0 && Float.compare(s, scores[kept[at - 1]]) > 0) {
                kept[at] = kept[at - 1];
                at--;
            }
            kept[at] = i;
        }
        return kept;
    }

    private int topK(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return config.topK();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("malformed query string: " + clean(rawQuery, 100));
            }
            if (!key.equals("top_k")) continue;
            try {
                int k = Integer.parseInt(value.trim());
                if (k >= 1) return k;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw HttpError.badRequest("top_k must be a positive integer, got '" + clean(value, 40) + "'");
        }
        return config.topK();
    }

    // ------------------------------------------------------------------ responses

    private static Reply only(String method, String allowed, java.util.function.Supplier<Reply> body) {
        if (!method.equals(allowed) && !(method.equals("HEAD") && allowed.equals("GET"))) {
            throw HttpError.methodNotAllowed(method, allowed.equals("GET") ? "GET, HEAD" : allowed);
        }
        return body.get();
    }

    private static Reply json(int status, Object value) {
        return new Reply(status, "application/json", jsonBytes(value));
    }

    private static byte[] jsonBytes(Object value) {
        try {
            return JSON.std.asBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // maps, lists, strings and numbers always serialise
        }
    }

    private static Reply error(HttpError e) {
        return error(e.status, e.getMessage(), e.reason, e.headers);
    }

    private static Reply error(int status, String message, HttpError.Reason reason, Map<String, String> headers) {
        return new Reply(status, "application/json", jsonBytes(Map.of("error", message)), headers, reason);
    }

    /** How long the server goes on reading and dropping a body it answered without reading (see {@link #send}). */
    static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);

    private void send(Call call, Response response, Callback callback, Reply r) {
        response.setStatus(r.status);
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, r.contentType);
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        r.headers.forEach(h::put);
        boolean linger = !call.bodyRead && hasBody(call.request);
        if (call.closeConnection || linger) h.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        h.put(HttpHeader.CONTENT_LENGTH, Integer.toString(r.body.length));
        boolean head = call.request.getMethod().equals("HEAD");
        ByteBuffer content = head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(r.body);
        if (!linger) {
            response.write(true, content, callback);
            return;
        }
        // Answered before the body was read (413, 415, 503, 404...): the answer goes out first, then what the client
        // still sends is read and dropped, up to what it declared (at most 4 x --max-body) and for 5 s, and only
        // then does the connection close. Closing over unread bytes makes the kernel reset the connection, and a client
        // that writes its whole body before it reads (java.net.http, many others) would see the reset, not the answer.
        Callback.Completable written = new Callback.Completable();
        response.write(true, content, written);
        try {
            written.get(LINGER_NANOS, TimeUnit.NANOSECONDS);
            long declared = call.request.getLength();
            drop(call.request, Math.min(declared > 0 ? declared : config.maxBodyBytes(), 4 * config.maxBodyBytes()),
                    System.nanoTime() + LINGER_NANOS);
            callback.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            callback.failed(e.getCause() != null ? e.getCause() : e);
        }
    }

    /** Whether the request says it has a body: a Content-Length above 0, or a Transfer-Encoding. */
    private static boolean hasBody(Request request) {
        return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /** Reads and drops the request's body until its end, {@code maxBytes}, a failure, or {@code endNanos}. */
    private static void drop(Request request, long maxBytes, long endNanos) throws InterruptedException {
        long dropped = 0;
        while (dropped < maxBytes) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                long left = endNanos - System.nanoTime();
                if (left <= 0) return;
                java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
                request.demand(ready::countDown);
                if (!ready.await(left, TimeUnit.NANOSECONDS)) return;
                continue;
            }
            boolean end = Content.Chunk.isFailure(chunk) || chunk.isLast();
            dropped += chunk.remaining();
            chunk.release();
            if (end) return;
        }
    }

    private void releaseAll(Call call) {
        while (!call.release.isEmpty()) {
            try {
                call.release.pop().close();
            } catch (Exception e) {
                log.println("at=error msg=\"releasing a request's resources: " + clean(e.toString(), 200) + "\"");
            }
        }
    }

    // ------------------------------------------------------------------ logging and metrics

    private void record(Call call, int status, HttpError.Reason reason, String error) {
        long nanos = System.nanoTime() - call.start;
        metrics.record(call.route, status, nanos, call.images, reason);
        if (config.accessLog()) {
            accessLog(call.request.getMethod(), call.request.getHttpURI().getPath(), call.route, status, nanos, call.bytesIn,
                    call.images, Request.getRemoteAddr(call.request), error);
        }
    }

    /** Connections answered 408 and closed by {@link ConnectionGuard} in one sweep: one log line for them all. */
    private void headerTimeouts(int count) {
        metrics.headerTimeouts(count);
        if (config.accessLog()) {
            log.println("at=warn route=protocol status=408 connections=" + count + " msg=\"request headers not received within "
                    + config.headerTimeout().toMillis() / 1000.0 + " s: answered 408 and closed\"");
        }
    }

    /** A request Jetty refused before the handler (see {@link JsonErrorHandler}). */
    private void protocolError(Request request, int status, String message) {
        metrics.record("protocol", status, 0, 0, HttpError.Reason.NONE);
        if (!config.accessLog()) return;
        String method = "-";
        String path = "-";
        String remote = null;
        try {
            method = request.getMethod() == null ? "-" : request.getMethod();
            path = request.getHttpURI() == null || request.getHttpURI().getPath() == null ? "-" : request.getHttpURI().getPath();
            remote = Request.getRemoteAddr(request);
        } catch (RuntimeException ignored) {
            // a request Jetty could not parse may lack any of these
        }
        accessLog(method, path, "protocol", status, 0, 0, 0, remote, message);
    }

    /** logfmt, one line, as Heroku's router writes its own lines. */
    private void accessLog(String method, String path, String route, int status, long nanos, long bytesIn, int images, String remote,
            String error) {
        StringBuilder line = new StringBuilder(160);
        line.append("at=").append(status >= 500 ? "error" : status >= 400 ? "warn" : "info")
                .append(" method=").append(clean(method, 20))
                .append(" path=\"").append(clean(path == null ? "" : path, 200)).append('"')
                .append(" route=").append(route)
                .append(" status=").append(status)
                .append(String.format(Locale.ROOT, " duration_ms=%.1f", nanos / 1e6))
                .append(" bytes_in=").append(bytesIn)
                .append(" images=").append(images);
        if (remote != null) line.append(" remote=").append(remote);
        if (error != null) line.append(" error=\"").append(clean(error, 300)).append('"');
        log.println(line);
    }

    private static String clean(String s, int max) {
        String one = s.replaceAll("[\\r\\n\"\\\\]+", " ");
        return one.length() > max ? one.substring(0, max) + "..." : one;
    }
}
