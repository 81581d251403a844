package dev.mlpack.server;

import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link Server} is started with. Values left unset ({@code 0}, {@code null}) are filled in
 * by {@link Server#start}: from the model's mlpack metadata (labels, preprocessing, resize), or from the
 * cores the process finds (workers, queue).
 *
 * @param model the {@code .tflite} file
 * @param host address to bind, e.g. {@code 0.0.0.0}
 * @param port port to bind; 0 picks a free one (tests)
 * @param workers interpreters, i.e. images inferred at once; 0 = one per core
 * @param threadsPerWorker threads inside each interpreter (XNNPACK's pool); 1 runs on the request thread
 * @param queue requests that may wait for a worker; beyond it, 503 with {@code Retry-After}; -1 = default
 * @param maxBodyBytes request bodies above this get 413
 * @param maxPixels images with more pixels get 413 (read from the header: decompression bombs cost nothing)
 * @param maxImages images (or TF Serving instances) in one request; more get 413
 * @param timeout per-request deadline, from its first byte: reading the body, decoding and inference; past it, 503 and
 *     the work is dropped. Stays below Heroku's 30 s
 * @param headerTimeout the time a client has to send a request's headers; then its connection is closed
 * @param maxConnections open connections at most; more wait in the listen backlog
 * @param drain how long SIGTERM waits for in-flight requests
 * @param topK predictions returned when the request has no {@code top_k}
 * @param labels labels overriding the metadata's, null to keep them
 * @param preprocess override of the metadata's preprocessing, null to keep it
 * @param resize override of the metadata's resize method, null to keep it
 * @param name model name in TF Serving paths ({@code /v1/models/NAME}, {@code --model-name}); null = metadata name or
 *     file name
 * @param accessLog one line per request on stdout
 * @param classifierOutput the output /predict scores, for models with several; null = the one the metadata records,
 *     else the default rule (see {@link dev.mlpack.runtime.classifier.ImageClassifier})
 */
public record ServerConfig(Path model, String host, int port, int workers, int threadsPerWorker, int queue,
                           long maxBodyBytes, long maxPixels, int maxImages, Duration timeout, Duration headerTimeout,
                           int maxConnections, Duration drain, int topK,
                           List<String> labels, Preprocess preprocess, Resize resize, String name, boolean accessLog,
                           String classifierOutput) {

    /** Heroku's router gives up after 30 s; answering before that keeps errors ours. */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(29);

    public ServerConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        require(port >= 0 && port <= 65535, "port must be in 0..65535, got " + port);
        require(workers >= 0, "workers must be >= 1, got " + workers);
        require(threadsPerWorker >= 1, "threads must be >= 1, got " + threadsPerWorker);
        require(queue >= -1, "queue must be >= 0, got " + queue);
        require(maxBodyBytes > 0, "max-body must be positive, got " + maxBodyBytes);
        require(maxPixels > 0, "max-pixels must be positive, got " + maxPixels);
        require(maxImages >= 1, "max-images must be >= 1, got " + maxImages);
        require(maxConnections >= 1, "max-connections must be >= 1, got " + maxConnections);
        require(!headerTimeout.isNegative() && !headerTimeout.isZero(), "header-timeout must be positive, got " + headerTimeout);
        require(!timeout.isNegative() && !timeout.isZero() && timeout.compareTo(MAX_TIMEOUT) <= 0,
                "timeout must be between 1 ms and " + MAX_TIMEOUT.toSeconds() + " s (Heroku's router stops at 30 s), got " + timeout);
        require(!drain.isNegative() && drain.compareTo(MAX_TIMEOUT) <= 0,
                "drain must be between 0 and " + MAX_TIMEOUT.toSeconds() + " s (Heroku kills the process 30 s after SIGTERM), got " + drain);
        require(topK >= 1, "top-k must be >= 1, got " + topK);
        labels = labels == null ? null : List.copyOf(labels);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public static Builder builder(Path model) {
        return new Builder(model);
    }

    public Builder toBuilder() {
        return new Builder(model).host(host).port(port).workers(workers).threadsPerWorker(threadsPerWorker).queue(queue)
                .maxBodyBytes(maxBodyBytes).maxPixels(maxPixels).maxImages(maxImages).timeout(timeout).headerTimeout(headerTimeout)
                .maxConnections(maxConnections).drain(drain).topK(topK).labels(labels)
                .preprocess(preprocess).resize(resize).name(name).accessLog(accessLog).classifierOutput(classifierOutput);
    }

    /**
     * Defaults: host {@code 0.0.0.0}, port 8080, workers and queue from the machine, 1 thread per worker, 10 MB
     * bodies, 16.7 megapixels (4096 x 4096), 64 images a request, 25 s deadline, 10 s for headers, 1000 connections,
     * 25 s drain, top 5, everything else from the model, access log on.
     */
    public static final class Builder {
        private final Path model;
        private String host = "0.0.0.0";
        private int port = 8080;
        private int workers;
        private int threadsPerWorker = 1;
        private int queue = -1;
        private long maxBodyBytes = 10L * 1024 * 1024;
        private long maxPixels = 4096L * 4096;
        private int maxImages = 64;
        private Duration timeout = Duration.ofSeconds(25);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int maxConnections = 1000;
        private Duration drain = Duration.ofSeconds(25);
        private int topK = 5;
        private List<String> labels;
        private Preprocess preprocess;
        private Resize resize;
        private String name;
        private boolean accessLog = true;
        private String classifierOutput;

        private Builder(Path model) { this.model = model; }

        public Builder host(String host) { this.host = host; return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder workers(int workers) { this.workers = workers; return this; }
        public Builder threadsPerWorker(int threads) { this.threadsPerWorker = threads; return this; }
        public Builder queue(int queue) { this.queue = queue; return this; }
        public Builder maxBodyBytes(long bytes) { this.maxBodyBytes = bytes; return this; }
        public Builder maxPixels(long pixels) { this.maxPixels = pixels; return this; }
        public Builder maxImages(int images) { this.maxImages = images; return this; }
        public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }
        public Builder headerTimeout(Duration timeout) { this.headerTimeout = timeout; return this; }
        public Builder maxConnections(int connections) { this.maxConnections = connections; return this; }
        public Builder drain(Duration drain) { this.drain = drain; return this; }
        public Builder topK(int topK) { this.topK = topK; return this; }
        public Builder labels(List<String> labels) { this.labels = labels; return this; }
        public Builder preprocess(Preprocess preprocess) { this.preprocess = preprocess; return this; }
        public Builder resize(Resize resize) { this.resize = resize; return this; }
        public Builder name(String name) { this.name = name; return this; }
        public Builder accessLog(boolean on) { this.accessLog = on; return this; }
        public Builder classifierOutput(String name) { this.classifierOutput = name; return this; }

        public ServerConfig build() {
            return new ServerConfig(model, host, port, workers, threadsPerWorker, queue, maxBodyBytes, maxPixels, maxImages, timeout,
                    headerTimeout, maxConnections, drain, topK, labels, preprocess, resize, name, accessLog, classifierOutput);
        }
    }
}
