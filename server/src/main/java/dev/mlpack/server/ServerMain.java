package dev.mlpack.server;

import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar mlpack-server.jar --model model.tflite [options]}: runs the {@link Server} until SIGTERM or
 * SIGINT, then drains in-flight requests and exits 0. Also {@code --extract-natives DIR}.
 *
 * <p>Options are parsed here by hand (no picocli) to keep the jar small and startup short; {@code mlpack serve}
 * passes its arguments through to {@link #run}. Exit codes: 0 ok, 2 usage or a model that cannot be served,
 * 1 anything else (e.g. the port is taken). Errors are one line on stderr: {@code mlpack-server: message}.
 *
 * <p>The JVM flags it runs with are the packager's (the artifact's Procfile, and {@code mlpack serve}); the jar's
 * manifest enables native access, so no {@code --enable-native-access} is needed.
 */
public final class ServerMain {
    static final String USAGE = """
            Usage: java -jar mlpack-server.jar [--model] MODEL.tflite [options]
                   java -jar mlpack-server.jar --extract-natives DIR
            Serves an image classifier (.tflite made by mlpack) over HTTP: GET / (upload page), GET /ping,
            POST /predict[?top_k=N], GET /metrics, TF Serving's /v1/models/NAME[/metadata|:predict].
            Labels, input size, resize, preprocessing and the scored output come from the model's metadata;
            options override them. /predict answers class probabilities; TF Serving's :predict the raw outputs.

              --model FILE          the .tflite model (required)
              --port N              port; default $PORT, else 8080
              --host ADDR           address to bind; default 0.0.0.0
              --workers N           interpreters (images inferred at once); default: one per core
              --threads N           threads per interpreter; default 1
              --queue N             requests that may wait for a worker before 503; default max(16, 4 x workers)
              --max-body SIZE       largest request body (413 above), e.g. 10MB; default 10MB
              --max-pixels N        largest image in pixels, read from its header (413 above); default 16777216
                                    (4096x4096)
              --max-images N        images (or TF Serving instances) in one request (413 above); default 64
              --timeout SECONDS     deadline of a prediction request, from its first byte: receiving the body,
                                    decoding and inference; past it, 503 and the work is dropped. Below 30
                                    (Heroku's router limit); default 25
              --header-timeout SECONDS
                                    time a client has to send its request headers, then the connection is
                                    closed; default 10
              --max-connections N   open connections at most; default 1000
              --drain SECONDS       on SIGTERM, how long in-flight requests may finish; default 25
              --top-k N             predictions per image when the request has no top_k; default 5
              --labels FILE         labels, one per line, overriding the model's
              --preprocess MODE     tf|caffe|torch|raw, overriding the model's
              --resize METHOD       bilinear|nearest|crop, overriding the model's
              --classifier-output NAME
                                    the output /predict scores, for models with several; default: the one the
                                    metadata records, else the only softmax (TF Serving's :predict returns all)
              --model-name NAME     the model's name in TF Serving's paths, /v1/models/NAME; default: the name in
                                    the model's metadata (the SavedModel folder it was converted from)
              --natives DIR         load the native libraries from DIR (see --extract-natives): no writable
                                    cache needed (read-only filesystem, non-root user)
              --extract-natives DIR write the linux-x86_64 native libraries into DIR and exit
              --check               start, send /ping and one /predict (a generated image) to itself, print
                                    the answers and exit (0 if both are 200): a self-test, and the training run
                                    for a JVM class/AOT cache (-XX:AOTCacheOutput=app.aot)
              --quiet               no per-request log lines
              --help                this text
            """;

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE_ERROR = 2;

    private ServerMain() {}

    public static void main(String[] args) {
        // Every line reaches the log router as it is written (a pipe would otherwise be block-buffered).
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        // The mlpack launcher runs this jar for "mlpack serve" and names itself so in --help.
        int code = run(args, out, System.err, System.getProperty("mlpack.invocation"));
        out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** A command-line mistake: printed as one line with a pointer to --help, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) { super(message); }
    }

    /** What the command line asks for. */
    record Command(ServerConfig config, Path natives, Path extractNatives, boolean help, boolean check) {}

    /**
     * Runs the server (blocking until SIGTERM/SIGINT) or the other actions the arguments ask for; returns the
     * exit code. Log lines go to {@code out}, errors to {@code err}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, null);
    }

    /** Options that take a value, e.g. {@code --port}. */
    public static boolean takesValue(String option) {
        return VALUE_OPTIONS.contains(option);
    }

    private static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.of("--model", "--port", "--host", "--workers",
            "--threads", "--queue", "--max-body", "--max-pixels", "--max-images", "--timeout", "--header-timeout", "--max-connections",
            "--drain", "--top-k", "--labels", "--preprocess", "--resize", "--model-name", "--name", "--natives", "--extract-natives",
            "--classifier-output");

    /**
     * Like {@link #run(String[], PrintStream, PrintStream)}; {@code invocation} replaces {@code java -jar
     * mlpack-server.jar [--model] MODEL.tflite} in the help text (for {@code mlpack serve}), null keeps it.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, String invocation) {
        Command cmd;
        try {
            cmd = parse(args, System.getenv("PORT"));
        } catch (UsageException | IllegalArgumentException e) {
            err.println("mlpack-server: " + e.getMessage() + " (see --help)");
            return USAGE_ERROR;
        }
        if (cmd.help()) {
            out.print(invocation == null ? USAGE : USAGE.replace("java -jar mlpack-server.jar [--model] MODEL.tflite", invocation)
                    .replace("\n       java -jar mlpack-server.jar --extract-natives DIR", ""));
            return OK;
        }
        try {
            if (cmd.extractNatives() != null) {
                for (Path p : Natives.extract(cmd.extractNatives())) out.println("wrote " + p);
                return OK;
            }
            if (cmd.natives() != null) Natives.useFolder(cmd.natives());
            return cmd.check() ? SelfCheck.run(cmd.config(), out) : serve(cmd.config(), out, err);
        } catch (IllegalArgumentException e) {
            err.println("mlpack-server: " + e.getMessage());
            return USAGE_ERROR;
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("mlpack-server: " + e.getFile() + " does not exist");
            return USAGE_ERROR;
        } catch (java.net.BindException e) {
            err.println("mlpack-server: cannot listen on " + cmd.config().host() + ":" + cmd.config().port() + ": "
                    + e.getMessage() + " (is another server running? choose another --port)");
            return FAILED;
        } catch (UnsatisfiedLinkError e) {
            err.println("mlpack-server: cannot load the TFLite native libraries: " + e.getMessage()
                    + (cmd.natives() == null ? " (on a read-only filesystem, extract them beforehand with --extract-natives DIR"
                    + " and start with --natives DIR)" : ""));
            return FAILED;
        } catch (IOException | RuntimeException | LinkageError e) {
            err.println("mlpack-server: " + e.getMessage() + " (" + e.getClass().getSimpleName() + ")");
            return FAILED;
        }
    }

    /** Starts the server, prints the listening line, and waits for SIGTERM/SIGINT; then drains and returns 0. */
    static int serve(ServerConfig config, PrintStream out, PrintStream err) throws IOException {
        long t0 = System.nanoTime();
        Server server = Server.start(config, out);
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        // The process's age from /proc, not the RuntimeMXBean's: loading JMX would cost the boot tens of milliseconds.
        long uptime = ProcessHandle.current().info().startInstant()
                .map(started -> java.time.Duration.between(started, java.time.Instant.now()).toMillis()).orElse(-1L);
        out.printf(Locale.ROOT, "at=info msg=\"listening on http://%s:%d\" %s ready_ms=%d process_uptime_ms=%d%n",
                config.host(), server.port(), server.describe().replace('"', '\''), (System.nanoTime() - t0) / 1_000_000, uptime);
        out.flush();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long d0 = System.nanoTime();
        server.drain(() -> out.println("at=info msg=\"shutting down: draining requests in flight (up to "
                + config.drain().toSeconds() + " s)\""));
        out.printf(Locale.ROOT, "at=info msg=\"stopped\" drain_ms=%d%n", (System.nanoTime() - d0) / 1_000_000);
        out.flush();
        return OK;
    }

    // ------------------------------------------------------------------ parsing

    static Command parse(String[] args, String portEnv) {
        Path model = null;
        Path natives = null;
        Path extract = null;
        boolean check = false;
        List<String[]> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--help", "-h" -> { return new Command(null, null, null, true, false); }
                case "--quiet" -> settings.add(new String[] {a, ""});
                case "--check" -> check = true;
                case String o when VALUE_OPTIONS.contains(o) -> {
                    if (value == null) {
                        if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                        value = args[++i];
                    }
                    switch (a) {
                        case "--model" -> {
                            if (model != null) throw new UsageException("--model given twice, or with a model argument: one model at a time");
                            model = Path.of(value);
                        }
                        case "--natives" -> natives = Path.of(value);
                        case "--extract-natives" -> extract = Path.of(value);
                        default -> settings.add(new String[] {a, value});
                    }
                }
                // The model may also come first without --model: "mlpack serve MODEL.tflite" passes its arguments as they are.
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown option " + a);
                    if (model != null) throw new UsageException("unexpected argument " + a + ": one model at a time");
                    model = Path.of(a);
                }
            }
        }
        if (extract != null) return new Command(null, null, extract, false, false);
        if (model == null) throw new UsageException("missing --model MODEL.tflite");
        if (!Files.isRegularFile(model)) {
            throw new UsageException("model " + model + (Files.exists(model) ? " is not a file" : " does not exist"));
        }
        ServerConfig.Builder b = ServerConfig.builder(model);
        if (portEnv != null && !portEnv.isBlank()) b.port(integer("$PORT", portEnv));
        for (String[] s : settings) apply(b, s[0], s[1]);
        return new Command(b.build(), natives, null, false, check);
    }

    private static void apply(ServerConfig.Builder b, String option, String v) {
        switch (option) {
            case "--port" -> b.port(integer(option, v));
            case "--host" -> b.host(v);
            case "--workers" -> b.workers(positive(option, v));
            case "--threads" -> b.threadsPerWorker(positive(option, v));
            case "--queue" -> {
                int n = integer(option, v);
                if (n < 0) throw new UsageException("--queue must be at least 0, got " + n);
                b.queue(n);
            }
            case "--max-body" -> b.maxBodyBytes(bytes(option, v));
            case "--max-pixels" -> b.maxPixels(positive(option, v));
            case "--max-images" -> b.maxImages(positive(option, v));
            case "--timeout" -> b.timeout(seconds(option, v));
            case "--header-timeout" -> b.headerTimeout(seconds(option, v));
            case "--max-connections" -> b.maxConnections(positive(option, v));
            case "--drain" -> b.drain(seconds(option, v));
            case "--top-k" -> b.topK(positive(option, v));
            case "--labels" -> b.labels(labels(Path.of(v)));
            case "--preprocess" -> b.preprocess(Preprocess.parse(v));
            case "--resize" -> b.resize(Resize.parse(v));
            case "--classifier-output" -> b.classifierOutput(v);
            // --name: this option's name before --model-name, still accepted.
            case "--model-name", "--name" -> {
                if (v.isBlank() || v.contains("/") || v.contains(":")) {
                    throw new UsageException(option + " must be a plain name (no '/' or ':'), got '" + v + "'");
                }
                b.name(v);
            }
            case "--quiet" -> b.accessLog(false);
            default -> throw new IllegalStateException(option);
        }
    }

    private static List<String> labels(Path file) {
        try {
            List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            if (lines.isEmpty()) throw new UsageException("--labels " + file + " is empty");
            return lines;
        } catch (IOException e) {
            throw new UsageException("cannot read --labels " + file + ": " + e.getMessage());
        }
    }

    private static int integer(String option, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer, got '" + v + "'");
        }
    }

    private static int positive(String option, String v) {
        int n = integer(option, v);
        if (n < 1) throw new UsageException(option + " must be at least 1, got " + n);
        return n;
    }

    private static Duration seconds(String option, String v) {
        try {
            double s = Double.parseDouble(v.trim());
            if (!(s >= 0)) throw new NumberFormatException();
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a number of seconds, got '" + v + "'");
        }
    }

    /** {@code 1048576}, {@code 512KB}, {@code 10MB}, {@code 1GB} (binary multiples). */
    static long bytes(String option, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}, {"K", "1024"}, {"M", "1048576"},
                {"G", "1073741824"}, {"B", "1"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n < 1) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(option + " must be a size such as 10MB, got '" + v + "'");
        }
    }
}
