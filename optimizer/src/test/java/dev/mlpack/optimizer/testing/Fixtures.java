package dev.mlpack.optimizer.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Test fixtures made by {@code optimizer/src/test/fixtures/make_fixtures.py}: Keras 3 SavedModels
 * with real (already preprocessed) inputs and the SavedModel's own outputs for them.
 *
 * <p>Each fixture is a folder {@code NAME/} holding {@code saved_model/}, {@code inputs.f32},
 * {@code expected.f32} (little-endian float32), {@code meta.json} and {@code meta.properties}.
 * Fixtures live in {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/v}{@value #VERSION}
 * (system property {@code mlpack.fixtures} overrides the environment) and are generated on
 * demand: {@code tools/ensure-venv.sh} provides the Python venv, then the script runs for the
 * missing names, its output going to {@code generate.log} in that folder. A file lock keeps two
 * JVMs from generating the same fixture at once. When no Python can be had at all, the calling
 * test is skipped (an assumption fails) rather than failed.
 *
 * <p>Bump {@link #VERSION} whenever make_fixtures.py changes what it writes.
 */
public final class Fixtures {
    /** Version of the fixture set; bump when make_fixtures.py changes. */
    public static final int VERSION = 1;

    /** The 15 keras.applications families, one fixture each (input 96x96). */
    public static final List<String> FAMILIES = List.of(
            "Xception", "VGG16", "ResNet50", "ResNet50V2", "InceptionV3", "InceptionResNetV2",
            "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "DenseNet121",
            "NASNetMobile", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny");
    /** Hand-built 64x64 model using many layer types; raw 0..255 input. */
    public static final String LAYERS_ZOO = "layers_zoo";
    /** The fastest fixture (32x32), for quick unit tests. */
    public static final String TINY_CNN = "tiny_cnn";

    private static final String SCRIPT = "optimizer/src/test/fixtures/make_fixtures.py";
    private static final String ENSURE_VENV = "tools/ensure-venv.sh";
    private static final long TIMEOUT_MINUTES =
            Long.getLong("mlpack.fixtures.timeoutMinutes", 60);
    private static final Object JVM_LOCK = new Object();

    private Fixtures() {}

    /** The folder of fixture {@code name}, generating it first if needed. */
    public static Path fixture(String name) {
        return fixtures(name).get(name);
    }

    /**
     * The folders of the given fixtures, generating the missing ones in a single run of the
     * script (cheaper than one run per name).
     */
    public static Map<String, Path> fixtures(String... names) {
        Path root = root();
        Map<String, Path> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            out.put(n, root.resolve(n));
            if (!isComplete(root.resolve(n))) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            generate(root, missing);
        }
        return out;
    }

    /** {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/v<VERSION>}. */
    public static Path root() {
        String base = System.getProperty("mlpack.fixtures");
        if (base == null || base.isBlank()) {
            base = System.getenv("MLPACK_FIXTURES");
        }
        Path dir = base == null || base.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "mlpack", "fixtures")
                : Path.of(base);
        return dir.toAbsolutePath().resolve("v" + VERSION);
    }

    /** Reads a little-endian float32 raw file. */
    public static float[] readF32(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % 4 != 0) {
                throw new IllegalStateException(file + ": size " + bytes.length + " is not a multiple of 4");
            }
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's preprocessed model inputs, NHWC. */
    public static float[] inputs(Path fixtureDir) {
        return readF32(fixtureDir.resolve("inputs.f32"));
    }

    /** The SavedModel's outputs for {@link #inputs}. */
    public static float[] expected(Path fixtureDir) {
        return readF32(fixtureDir.resolve("expected.f32"));
    }

    /** The fixture's SavedModel folder. */
    public static Path savedModel(Path fixtureDir) {
        return fixtureDir.resolve("saved_model");
    }

    /**
     * The fixture's meta data from {@code meta.properties}: keys as in meta.json
     * ({@code name, family, input_shape, output_shape, preprocess, input_name, output_name,
     * image_size, ...}). {@code input_shape}, {@code output_shape} and {@code expected_top1} are
     * {@code int[]}; every other value is a String.
     */
    public static Map<String, Object> meta(Path fixtureDir) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(fixtureDir.resolve("meta.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames().stream().sorted().toList()) {
            String v = p.getProperty(k);
            out.put(k, k.endsWith("_shape") || k.equals("expected_top1") ? ints(v) : v);
        }
        return out;
    }

    /** {@code meta.input_shape}, e.g. {@code [4, 96, 96, 3]}. */
    public static int[] inputShape(Path fixtureDir) {
        return (int[]) meta(fixtureDir).get("input_shape");
    }

    /** {@code meta.output_shape}, e.g. {@code [4, 5]}. */
    public static int[] outputShape(Path fixtureDir) {
        return (int[]) meta(fixtureDir).get("output_shape");
    }

    private static int[] ints(String csv) {
        if (csv.isBlank()) {
            return new int[0];
        }
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve("meta.properties"))
                && Files.isRegularFile(dir.resolve("expected.f32"))
                && Files.isDirectory(dir.resolve("saved_model"));
    }

    // ------------------------------------------------------------------ generation

    private static void generate(Path root, List<String> names) {
        Path repo = repoRoot();
        assumeTrue(repo != null, "mlpack repository root not found (set -Dmlpack.repo); cannot generate fixtures");
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(root);
                try (FileChannel ch = FileChannel.open(root.resolve(".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.lock(); // blocks while another JVM generates
                    try {
                        generateLocked(repo, root, names);
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void generateLocked(Path repo, Path root, List<String> names) throws IOException {
        List<String> todo = names.stream().filter(n -> !isComplete(root.resolve(n))).toList();
        if (todo.isEmpty()) {
            return; // another JVM made them while we waited
        }
        Path log = root.resolve("generate.log");
        long start = Files.exists(log) ? Files.size(log) : 0;
        String python = python(repo, log);
        List<String> cmd = List.of(python, repo.resolve(SCRIPT).toString(), root.toString(),
                "--only", String.join(",", todo));
        int rc = run(cmd, repo, log);
        List<String> stillMissing = todo.stream().filter(n -> !isComplete(root.resolve(n))).toList();
        if (rc != 0 || !stillMissing.isEmpty()) {
            throw new IllegalStateException("make_fixtures.py exited " + rc + ", missing " + stillMissing
                    + "; see " + log + ":\n" + tail(log, start, 40));
        }
    }

    /** The venv's python (via ensure-venv.sh), else a system python3 that has TF + Keras. */
    private static String python(Path repo, Path log) throws IOException {
        long start = Files.exists(log) ? Files.size(log) : 0;
        Path ensure = repo.resolve(ENSURE_VENV);
        if (Files.isRegularFile(ensure) && onPath("bash")) {
            Path out = Files.createTempFile("mlpack-venv", ".txt");
            try {
                int rc = run(List.of("bash", ensure.toString()), repo, log, out);
                List<String> lines = Files.readAllLines(out).stream().filter(s -> !s.isBlank()).toList();
                if (rc == 0 && !lines.isEmpty() && Files.isExecutable(Path.of(lines.getLast().trim()))) {
                    return lines.getLast().trim();
                }
            } finally {
                Files.deleteIfExists(out);
            }
        }
        boolean python3 = onPath("python3");
        assumeTrue(python3, "neither the venv (" + ENSURE_VENV + ") nor python3 is available; skipping. Log:\n"
                + tail(log, start, 20));
        int rc = run(List.of("python3", "-c", "import tensorflow, keras, PIL"), repo, log);
        assumeTrue(rc == 0, "the venv could not be made and python3 lacks tensorflow/keras/pillow; skipping. Log:\n"
                + tail(log, start, 20));
        return "python3";
    }

    private static int run(List<String> cmd, Path dir, Path log) throws IOException {
        return run(cmd, dir, log, null);
    }

    /** Runs cmd with stderr (and stdout unless stdoutFile is given) appended to log. */
    private static int run(List<String> cmd, Path dir, Path log, Path stdoutFile) throws IOException {
        try (Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write("\n==== " + Instant.now() + " " + String.join(" ", cmd) + "\n");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        pb.environment().put("PYTHONUNBUFFERED", "1");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectOutput(stdoutFile == null
                ? ProcessBuilder.Redirect.appendTo(log.toFile())
                : ProcessBuilder.Redirect.to(stdoutFile.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return 127;
        }
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + TIMEOUT_MINUTES + " min: " + cmd
                        + "\n" + tail(log, 0, 40));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    private static String tail(Path log, long from, int lines) {
        try {
            byte[] all = Files.readAllBytes(log);
            int off = (int) Math.min(Math.max(from, 0), all.length);
            String[] ls = new String(all, off, all.length - off, StandardCharsets.UTF_8).split("\n");
            return String.join("\n", Arrays.asList(ls).subList(Math.max(0, ls.length - lines), ls.length));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** System property mlpack.repo, else the first ancestor of the working dir that is the repo. */
    static Path repoRoot() {
        List<Path> starts = new ArrayList<>();
        String prop = System.getProperty("mlpack.repo");
        if (prop != null && !prop.isBlank()) {
            starts.add(Path.of(prop));
        }
        starts.add(Path.of(System.getProperty("user.dir")));
        for (Path start : starts) {
            for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
                if (isRepo(d)) {
                    return d;
                }
            }
        }
        return null;
    }

    private static boolean isRepo(Path d) {
        return Files.isRegularFile(d.resolve(SCRIPT))
                && Files.isRegularFile(d.resolve(ENSURE_VENV))
                && (Files.isRegularFile(d.resolve("pom.xml")) || Files.exists(d.resolve(".git")));
    }
}
