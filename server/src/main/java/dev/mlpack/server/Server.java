package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inference server: the JDK's own HTTP server ({@code com.sun.net.httpserver}) in front of a {@link
 * Predictor}. Routes:
 *
 * <pre>
 *   GET  /                              upload page (self-contained HTML, works offline)
 *   GET  /ping                          {"status":"ok"} once the model is loaded
 *   POST /predict[?top_k=N]             image body, multipart field "image" (1..n), or {"images":[base64...]}
 *   GET  /metrics                       Prometheus text
 *   GET  /v1/models/NAME                TF Serving model status
 *   GET  /v1/models/NAME/metadata       TF Serving signature metadata
 *   POST /v1/models/NAME:predict        TF Serving {"instances":[{"b64":...}]} -> {"predictions":[[scores]]}
 * </pre>
 *
 * <p>Concurrency: requests run on a fixed pool of HTTP threads. Prediction requests are admitted up to {@code
 * workers + queue} at once (beyond that: 503 with {@code Retry-After}) and borrow one of the {@code workers}
 * interpreters; the spare HTTP threads keep {@code /ping} and {@code /metrics} answering under full load.
 * Every error is JSON {@code {"error": "..."}}; an unexpected failure is logged as one line on stderr and
 * answered 500 without details.
 */
public final class Server implements AutoCloseable {

    /** Written once: answering /ping loads no JSON classes, which keeps the first answer after boot quick. */
    private static final byte[] PING = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    /** Threads beyond the admitted prediction requests, for /ping, /metrics and quick rejections. */
    private static final int SPARE_THREADS = 4;

    private final ServerConfig config;
    private final Predictor predictor;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Semaphore admission;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Metrics metrics = new Metrics();
    private final PrintStream log;
    private final byte[] page;
    private final int queue;
    private volatile boolean closed;

    private Server(ServerConfig config, Predictor predictor, int queue, PrintStream log) throws IOException {
        this.config = config;
        this.predictor = predictor;
        this.queue = queue;
        this.log = log;
        this.admission = new Semaphore(predictor.workers() + queue);
        this.page = Page.html(predictor.info().name(), config.topK());
        int threads = predictor.workers() + queue + SPARE_THREADS;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    /**
     * Loads the model, builds the interpreters and starts listening. Returns once {@code /ping} answers.
     *
     * @param log where the per-request lines go (stdout in production)
     * @throws IOException if the model cannot be read or the port cannot be bound
     * @throws IllegalArgumentException if the model cannot be served as configured
     */
    public static Server start(ServerConfig config, PrintStream log) throws IOException {
        // One worker per core (container-aware); memory does not cap them, DecodeBudget bounds the heap images take.
        int workers = config.workers() > 0 ? config.workers() : Math.max(1, Runtime.getRuntime().availableProcessors());
        // Enough waiting places for a few clients per worker.
        int queue = config.queue() >= 0 ? config.queue() : Math.max(16, 4 * workers);
        HttpLimits.apply(config);
        Predictor predictor = Predictor.load(config, workers);
        try {
            return new Server(config, predictor, queue, log);
        } catch (IOException | RuntimeException e) {
            predictor.close();
            throw e;
        }
    }

    /** The bound port (useful when the configuration asked for port 0). */
    public int port() { return http.getAddress().getPort(); }

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

    /** One line describing what is being served, printed once at startup. */
    public String describe() {
        var info = predictor.info();
        return String.format(Locale.ROOT, "model %s (%s, %dx%d %s%s input, %d classes from %s, preprocess %s, resize %s, xnnpack %s),"
                        + " %d workers x %d threads, queue %d", info.name(), config.model(), predictor.pipeline().height(),
                predictor.pipeline().width(), predictor.pipeline().grayscale() ? "grayscale " : "",
                predictor.input().dataType().name().toLowerCase(Locale.ROOT), predictor.classes(), predictor.scoring(),
                info.preprocess(), info.resize(), predictor.xnnpack() ? "int8" : "off", predictor.workers(),
                config.threadsPerWorker(), queue) + String.format(Locale.ROOT, ", decoding memory %d MB (images up to %.1f megapixels)",
                predictor.budget().bytes() >> 20, Math.min(config.maxPixels(), predictor.budget().maxPixels()) / 1e6);
    }

    /**
     * Stops accepting connections, waits up to the configured drain time for requests in flight, then frees the
     * interpreters (unless a request is still running past the drain time: the process is about to exit then).
     *
     * <p>The waiting is counted here, on this server's own handlers, rather than left to {@link HttpServer#stop}:
     * the JDK's server counts an exchange as finished only when its dispatcher thread has processed the end of the
     * response, and when {@code stop} comes right after a response (a SIGTERM just after the last request), that
     * count can stay at one and {@code stop} then waits out its whole delay (measured: 25 s instead of 0.1 s). So
     * {@code stop} runs on a daemon thread, where it closes the listener at once and may block harmlessly.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        long drainNanos = config.drain().toNanos();
        Thread stopper = new Thread(() -> http.stop((int) Math.max(1, Math.ceil(drainNanos / 1e9))), "http-stop");
        stopper.setDaemon(true);
        stopper.start();
        long deadline = System.nanoTime() + drainNanos;
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
            stopper.join(200); // normally quick: the listener is closed and no exchange is open
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdown();
        if (inFlight.get() == 0) predictor.close();
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        String route = "other";
        int status = 500;
        int images = 0;
        long bytesIn = 0;
        String error = null;
        try {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            Response r;
            try {
                Route match = Route.of(path, predictor.info().name());
                route = match.name();
                r = switch (match.kind()) {
                    case PAGE -> only(method, "GET", () -> new Response(200, "text/html; charset=utf-8", page));
                    case PING -> only(method, "GET", () -> new Response(200, "application/json", PING));
                    case METRICS -> only(method, "GET", () -> new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                            metrics.render(predictor, admitted::get).getBytes(StandardCharsets.UTF_8)));
                    case TFS_STATUS -> only(method, "GET", () -> json(200, TfServing.status()));
                    case TFS_METADATA -> only(method, "GET", () -> json(200, TfServing.metadata(predictor)));
                    case PREDICT, TFS_PREDICT -> {
                        if (!method.equals("POST")) throw new MethodNotAllowed("POST");
                        Prediction p = predict(ex, start, match.kind() == Route.Kind.TFS_PREDICT);
                        images = p.images;
                        bytesIn = p.bytesIn;
                        yield p.response;
                    }
                    case UNKNOWN_MODEL -> throw new HttpError(404, "Servable not found for request: Latest(" + match.detail()
                            + "); this server serves '" + predictor.info().name() + "'");
                    case NOT_FOUND -> throw new HttpError(404, "no such path " + path
                            + ": use GET /, GET /ping, POST /predict, GET /metrics or /v1/models/" + predictor.info().name());
                };
            } catch (MethodNotAllowed e) {
                ex.getResponseHeaders().set("Allow", e.allowed);
                r = error(405, "method " + method + " not allowed on " + path + ": use " + e.allowed);
            } catch (HttpError e) {
                if (e.retryAfter > 0) ex.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfter));
                r = error(e.status, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r = error(503, "server is shutting down");
            } catch (OutOfMemoryError e) {
                ex.getResponseHeaders().set("Retry-After", "1");
                r = error(503, "server is out of memory for this request; retry later or send a smaller image");
            } catch (RuntimeException e) {
                error = e.toString();
                r = error(500, "internal error; the server log has the details");
            }
            status = r.status;
            error = error == null && status >= 400 ? new String(r.body, StandardCharsets.UTF_8) : error;
            send(ex, r);
        } catch (IOException | UncheckedIOException e) {
            status = 499; // the client went away while we answered
            error = e.toString();
        } finally {
            // Logged before the exchange is closed, so that the line is out when the client has its answer.
            long nanos = System.nanoTime() - start;
            metrics.record(route, status, nanos, images);
            if (config.accessLog()) accessLog(ex, route, status, nanos, bytesIn, images, error);
            ex.close();
            inFlight.decrementAndGet();
        }
    }

    private record Prediction(Response response, int images, long bytesIn) {}

    private Prediction predict(HttpExchange ex, long start, boolean tfServing) throws IOException, InterruptedException {
        if (!admission.tryAcquire()) {
            throw HttpError.busy("server busy: " + predictor.workers() + " workers and a queue of " + queue + " are full; retry later");
        }
        admitted.incrementAndGet();
        try {
            int topK = tfServing ? 0 : topK(ex.getRequestURI().getRawQuery());
            byte[] body = readBody(ex);
            String contentType = ex.getRequestHeaders().getFirst("Content-Type");
            List<byte[]> images = tfServing ? TfServing.instances(contentType, body) : ImageRequests.parse(contentType, body);
            long deadline = start + config.timeout().toNanos();
            List<Predictor.Scores> scores = predictor.predict(images, deadline);
            Object result = tfServing ? TfServing.predictions(scores) : predictions(scores, topK);
            return new Prediction(json(200, result), images.size(), body.length);
        } finally {
            admitted.decrementAndGet();
            admission.release();
        }
    }

    /** One image: {"predictions": [...]}; several: {"results": [{"predictions": [...]}, ...]}. */
    private Map<String, Object> predictions(List<Predictor.Scores> scores, int topK) {
        if (scores.size() == 1) return Map.of("predictions", top(scores.getFirst().values(), topK));
        List<Object> results = new ArrayList<>(scores.size());
        for (Predictor.Scores s : scores) results.add(Map.of("predictions", top(s.values(), topK)));
        return Map.of("results", results);
    }

    private List<Map<String, Object>> top(float[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // Stable sort: equal scores keep output order, so ties go to the lower index, like argmax.
        java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        List<Map<String, Object>> out = new ArrayList<>(Math.min(k, scores.length));
        for (int i = 0; i < Math.min(k, scores.length); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", predictor.label(order[i]));
            m.put("index", order[i]);
            m.put("score", scores[order[i]]);
            out.add(m);
        }
        return out;
    }

    private int topK(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return config.topK();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!key.equals("top_k")) continue;
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            try {
                int k = Integer.parseInt(value.trim());
                if (k >= 1) return k;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw HttpError.badRequest("top_k must be a positive integer, got '" + value + "'");
        }
        return config.topK();
    }

    /** The whole body, refusing more than the limit (by Content-Length before reading, or while reading). */
    private byte[] readBody(HttpExchange ex) throws IOException {
        long limit = config.maxBodyBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > limit) throw tooLarge(limit);
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("invalid Content-Length '" + length + "'");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) throw tooLarge(limit);
            return body;
        }
    }

    private static HttpError tooLarge(long limit) {
        return HttpError.tooLarge("request body larger than " + limit + " bytes (--max-body); send a smaller image");
    }

    // ------------------------------------------------------------------ responses

    private record Response(int status, String contentType, byte[] body) {}

    private static final class MethodNotAllowed extends RuntimeException {
        final String allowed;

        MethodNotAllowed(String allowed) {
            super(null, null, false, false);
            this.allowed = allowed;
        }
    }

    private interface Body {
        Response get() throws IOException;
    }

    private static Response only(String method, String allowed, Body body) throws IOException {
        if (method.equals(allowed) || (method.equals("HEAD") && allowed.equals("GET"))) return body.get();
        throw new MethodNotAllowed(allowed.equals("GET") ? "GET, HEAD" : allowed);
    }

    private static Response json(int status, Object value) throws IOException {
        return new Response(status, "application/json", JSON.std.asBytes(value));
    }

    private static Response error(int status, String message) {
        try {
            return json(status, Map.of("error", message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, Response r) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(r.status, -1);
            return;
        }
        ex.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
        ex.getResponseBody().write(r.body);
    }

    /** logfmt, one line, as Heroku's router writes its own lines. */
    private void accessLog(HttpExchange ex, String route, int status, long nanos, long bytesIn, int images, String error) {
        StringBuilder line = new StringBuilder(160);
        line.append("at=").append(status >= 500 ? "error" : status >= 400 ? "warn" : "info")
                .append(" method=").append(ex.getRequestMethod())
                .append(" path=\"").append(clean(ex.getRequestURI().getRawPath(), 200)).append('"')
                .append(" route=").append(route)
                .append(" status=").append(status)
                .append(String.format(Locale.ROOT, " duration_ms=%.1f", nanos / 1e6))
                .append(" bytes_in=").append(bytesIn)
                .append(" images=").append(images);
        var remote = ex.getRemoteAddress();
        if (remote != null && remote.getAddress() != null) line.append(" remote=").append(remote.getAddress().getHostAddress());
        if (error != null) line.append(" error=\"").append(clean(error, 300)).append('"');
        log.println(line);
    }

    private static String clean(String s, int max) {
        String one = s.replaceAll("[\\r\\n\"\\\\]+", " ");
        return one.length() > max ? one.substring(0, max) + "..." : one;
    }
}
