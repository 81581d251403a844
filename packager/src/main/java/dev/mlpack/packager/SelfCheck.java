package dev.mlpack.packager;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.runtime.image.ImageDecodeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Boots the packaged server exactly as the Procfile says ({@code sh -c "<web command>"} with {@code PORT} set, in a
 * temporary folder holding nothing but the extracted archive), then measures the time to answer {@code /ping}, the
 * peak resident memory after a warm-up, and whether {@code /predict} gives the offline model's top-1.
 */
public final class SelfCheck {
    /** Heroku's R10: a web process that does not bind within 60 s is killed. */
    public static final double FAIL_BOOT_SECONDS = 60;
    public static final double WARN_BOOT_SECONDS = 10;
    static final int WARMUP_REQUESTS = 5;

    /**
     * The measurements.
     *
     * @param bootSeconds process start to the first 200 from /ping; null if it never answered
     * @param rssMb the server's peak resident memory (VmHWM) after the warm-up and the verify requests, MB
     * @param n verify images sent
     * @param agreementTop1 the share of them where the server's top-1 equals the offline model's; null for none
     * @param warnings slow boot, memory near the dyno's
     * @param failure null when the check passed; else one line saying what failed
     * @param log the server's last output lines
     */
    public record Result(Double bootSeconds, Double rssMb, int n, Double agreementTop1, List<String> warnings, String failure,
            List<String> log) {
        public Result {
            warnings = List.copyOf(warnings);
            log = List.copyOf(log);
        }

        public boolean passed() { return failure == null; }
    }

    private SelfCheck() {}

    /**
     * Runs the check.
     *
     * @param archive the artifact's archive
     * @param command the web command (run by {@code sh -c})
     * @param model the model, run in-process for the comparison
     * @param images verify images (may be empty: a synthetic image then serves as warm-up)
     * @param dyno the dyno whose memory the RSS is held to
     * @param progress receives one line per stage
     */
    public static Result run(Path archive, String command, Path model, List<Path> images, Dyno dyno, Consumer<String> progress) {
        Path dir = null;
        Path log = null;
        Process process = null;
        List<String> warnings = new ArrayList<>();
        Double boot = null;
        Double rss = null;
        int n = 0;
        Double agreement = null;
        String failure = null;
        try {
            dir = Files.createTempDirectory("mlpack-selfcheck-");
            log = Files.createTempFile("mlpack-selfcheck-", ".log");
            ReproducibleArchive.extract(archive, dir);
            int port = freePort();
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("PORT", Integer.toString(port));
            // Heroku puts the buildpack's JDK first on PATH; here, the JDK running mlpack.
            pb.environment().put("PATH", ServerDist.currentJava().getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            progress.accept("booting: sh -c '" + abbreviate(command) + "' with PORT=" + port);
            long start = System.nanoTime();
            process = pb.start();
            boot = awaitPing(http, base, process, start);
            if (boot == null) {
                failure = process.isAlive() ? String.format(Locale.ROOT, "the server did not answer /ping within %.0f s (Heroku's R10 limit)", FAIL_BOOT_SECONDS)
                        : "the server exited with code " + process.exitValue() + " before answering /ping: " + lastLines(log, 1).stream().findFirst().orElse("(no output)");
                return new Result(null, null, 0, null, warnings, failure, lastLines(log, 20));
            }
            if (boot > WARN_BOOT_SECONDS) {
                warnings.add(String.format(Locale.ROOT, "the server took %.1f s to answer /ping (Heroku kills a web process at %.0f s)", boot, FAIL_BOOT_SECONDS));
            }
            progress.accept(String.format(Locale.ROOT, "/ping answered after %.2f s", boot));

            ProcessHandle server = javaProcess(process.toHandle());
            byte[] warm = images.isEmpty() ? syntheticPng() : Files.readAllBytes(images.get(0));
            String warmType = images.isEmpty() ? "image/png" : VerifyImages.contentType(images.get(0));
            for (int i = 0; i < WARMUP_REQUESTS; i++) predict(http, base, warm, warmType);

            if (!images.isEmpty()) {
                int agree = 0;
                List<String> mismatches = new ArrayList<>();
                try (OfflineModel offline = new OfflineModel(model)) {
                    for (Path image : images) {
                        int served = topIndex(predict(http, base, Files.readAllBytes(image), VerifyImages.contentType(image)), image);
                        int local;
                        try {
                            local = offline.top1(image);
                        } catch (ImageDecodeException e) {
                            throw PackageException.badInput("--verify-data: " + e.getMessage());
                        }
                        n++;
                        if (served == local) agree++;
                        else mismatches.add(image.getFileName() + " (server " + served + ", offline " + local + ")");
                    }
                }
                agreement = (double) agree / n;
                progress.accept(String.format(Locale.ROOT, "/predict agreed with the offline model on %d of %d images", agree, n));
                if (!mismatches.isEmpty()) {
                    failure = "/predict disagrees with the offline model on " + mismatches.size() + " of " + n + " images, e.g. "
                            + String.join(", ", mismatches.subList(0, Math.min(3, mismatches.size())));
                }
            }
            rss = peakRssMb(server);
            if (rss != null && rss > dyno.memoryMb()) {
                String over = String.format(Locale.ROOT, "peak RSS %.0f MB is over the %s dyno's %d MB (Heroku's R14)", rss, dyno.displayName(), dyno.memoryMb());
                failure = failure == null ? over : failure + "; " + over;
            } else if (rss != null && rss > 0.9 * dyno.memoryMb()) {
                warnings.add(String.format(Locale.ROOT, "peak RSS %.0f MB is within 10%% of the %s dyno's %d MB", rss, dyno.displayName(), dyno.memoryMb()));
            }
            return new Result(boot, rss, n, agreement, warnings, failure, lastLines(log, 20));
        } catch (IOException e) {
            failure = "self-check: " + e.getMessage();
            return new Result(boot, rss, n, agreement, warnings, failure, log == null ? List.of() : lastLines(log, 20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PackageException.failed("interrupted", e);
        } finally {
            if (process != null) stop(process);
            if (dir != null) deleteTree(dir);
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    private static Double awaitPing(HttpClient http, URI base, Process process, long start) throws InterruptedException {
        HttpRequest ping = HttpRequest.newBuilder(base.resolve("/ping")).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = start + (long) (FAIL_BOOT_SECONDS * 1e9);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return null;
            try {
                HttpResponse<String> r = http.send(ping, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return (System.nanoTime() - start) / 1e9;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        return null;
    }

    private static String predict(HttpClient http, URI base, byte[] body, String type) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/predict?top_k=1")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("/predict answered " + r.statusCode() + ": " + r.body().strip());
        return r.body();
    }

    /** The {@code index} of the first prediction of a /predict answer. */
    static int topIndex(String json, Path image) throws IOException {
        Map<String, Object> m = JSON.std.mapFrom(json);
        if (m.get("predictions") instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> top
                && top.get("index") instanceof Number index) {
            return index.intValue();
        }
        throw new IOException("/predict gave no predictions for " + image.getFileName() + ": " + json.strip());
    }

    /** The Java process: the shell itself when it exec'd the command, else its Java descendant. */
    static ProcessHandle javaProcess(ProcessHandle shell) {
        if (isJava(shell)) return shell;
        Optional<ProcessHandle> java = shell.descendants().filter(SelfCheck::isJava).findFirst();
        return java.orElse(shell);
    }

    private static boolean isJava(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/java")).orElse(false);
    }

    /** VmHWM from /proc/PID/status, in MB; null where /proc is missing. */
    static Double peakRssMb(ProcessHandle p) {
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return kb / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** SIGTERM to the Java process and the shell (as Heroku does), SIGKILL after 30 s. */
    private static void stop(Process process) {
        ProcessHandle shell = process.toHandle();
        List<ProcessHandle> all = new ArrayList<>(shell.descendants().toList());
        all.forEach(ProcessHandle::destroy);
        shell.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            for (ProcessHandle h : all) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            all.forEach(ProcessHandle::destroyForcibly);
        }
    }

    static List<String> lastLines(Path log, int count) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static byte[] syntheticPng() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String abbreviate(String command) {
        return command.length() <= 100 ? command : command.substring(0, 60) + " ... " + command.substring(command.length() - 35);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort for a temporary folder
        }
    }
}
