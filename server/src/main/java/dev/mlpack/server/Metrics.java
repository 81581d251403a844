package dev.mlpack.server;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and a latency histogram, exposed at {@code GET /metrics} in Prometheus' text format
 * (version 0.0.4). Lock-free: every request records into atomic counters.
 */
final class Metrics {
    /** Histogram bucket upper bounds in seconds, Prometheus' usual latency buckets. */
    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25};

    private record Key(String route, int status) {}

    private final Map<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder images = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder deadlines = new LongAdder();
    private final LongAdder headerTimeouts = new LongAdder();

    /** The server's state at the moment of a scrape. */
    record Gauges(int waiting, int connections, long memoryInUse, long memoryBudget) {}

    private static final class Histogram {
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS.length + 1);
        final DoubleAdder sum = new DoubleAdder();
    }

    /** Records one finished request; {@code route} is a fixed name such as {@code /predict}, never the raw path. */
    void record(String route, int status, long nanos, int imageCount, HttpError.Reason reason) {
        requests.computeIfAbsent(new Key(route, status), k -> new LongAdder()).increment();
        Histogram h = latency.computeIfAbsent(route, r -> new Histogram());
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) b++;
        h.counts.incrementAndGet(b);
        h.sum.add(seconds);
        images.add(imageCount);
        if (status == 503) rejected.increment();
        if (reason == HttpError.Reason.DEADLINE) deadlines.increment();
    }

    /** Connections closed because their request headers did not arrive in time. */
    void headerTimeouts(int count) {
        headerTimeouts.add(count);
    }

    /** The text for {@code /metrics}. */
    String render(Predictor p, Gauges g) {
        StringBuilder out = new StringBuilder(2048);
        out.append("# HELP mlpack_requests_total HTTP requests by route and status.\n");
        out.append("# TYPE mlpack_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey(
                        java.util.Comparator.comparing(Key::route).thenComparingInt(Key::status)))
                .forEach(e -> out.append("mlpack_requests_total{route=\"").append(e.getKey().route()).append("\",status=\"")
                        .append(e.getKey().status()).append("\"} ").append(e.getValue().sum()).append('\n'));
        out.append("# HELP mlpack_request_duration_seconds Time from request to response, by route.\n");
        out.append("# TYPE mlpack_request_duration_seconds histogram\n");
        latency.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Histogram h = e.getValue();
            long cumulative = 0;
            for (int b = 0; b <= BUCKETS.length; b++) {
                cumulative += h.counts.get(b);
                String le = b < BUCKETS.length ? number(BUCKETS[b]) : "+Inf";
                out.append("mlpack_request_duration_seconds_bucket{route=\"").append(e.getKey()).append("\",le=\"").append(le)
                        .append("\"} ").append(cumulative).append('\n');
            }
            out.append("mlpack_request_duration_seconds_sum{route=\"").append(e.getKey()).append("\"} ")
                    .append(number(h.sum.sum())).append('\n');
            out.append("mlpack_request_duration_seconds_count{route=\"").append(e.getKey()).append("\"} ")
                    .append(cumulative).append('\n');
        });
        gauge(out, "mlpack_images_total", "counter", "Images classified.", images.sum());
        gauge(out, "mlpack_rejected_total", "counter", "Requests answered 503 (queue full, memory or deadline).", rejected.sum());
        gauge(out, "mlpack_deadline_exceeded_total", "counter", "Requests answered 503 because they ran past --timeout.", deadlines.sum());
        gauge(out, "mlpack_header_timeouts_total", "counter", "Connections closed because their request headers took longer than --header-timeout.",
                headerTimeouts.sum());
        gauge(out, "mlpack_connections", "gauge", "Open HTTP connections.", g.connections());
        gauge(out, "mlpack_memory_budget_bytes", "gauge", "Memory budget for request bodies and image decoding.", g.memoryBudget());
        gauge(out, "mlpack_memory_in_use_bytes", "gauge", "Part of the memory budget held by requests now.", g.memoryInUse());
        gauge(out, "mlpack_workers", "gauge", "Interpreters (images inferred at once).", p.workers());
        gauge(out, "mlpack_workers_busy", "gauge", "Interpreters serving a request now.", p.workers() - p.idleWorkers());
        gauge(out, "mlpack_requests_waiting", "gauge", "Prediction requests admitted and not finished.", g.waiting());
        out.append("# HELP mlpack_model_info The served model (value always 1).\n");
        out.append("# TYPE mlpack_model_info gauge\n");
        out.append("mlpack_model_info{name=\"").append(escape(p.info().name())).append("\",input=\"")
                .append(p.pipeline().height()).append('x').append(p.pipeline().width()).append("\",input_type=\"")
                .append(p.input().dataType().name().toLowerCase(Locale.ROOT)).append("\",classes=\"").append(p.classes())
                .append("\",preprocess=\"").append(p.info().preprocess()).append("\",resize=\"").append(p.info().resize())
                .append("\",xnnpack=\"").append(p.xnnpack()).append("\",bytes=\"").append(p.modelBytes()).append("\"} 1\n");
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value).append('\n');
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Label values escape backslash, double quote and line feed. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
