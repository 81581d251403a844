package dev.mlpack.optimizer.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
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
import java.util.concurrent.TimeUnit;

/**
 * A set of test fixtures that a Python script in {@code optimizer/src/test/fixtures/} generates on demand into a
 * cache: {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/<folder>v<version>} (system property
 * {@code mlpack.fixtures} overrides the environment). {@code tools/ensure-venv.sh} provides the Python venv, then
 * the script runs for the missing names (folder {@code NAME/} each), its output going to {@code generate.log} in
 * that folder. A file lock keeps two JVMs from generating the same fixture at once. When no Python can be had at
 * all, the calling test is skipped (an assumption fails) rather than failed, except under {@code CI=true}: CI must
 * test what the fixtures test, so there it fails with what is missing.
 *
 * @param script the generator's file name in {@code optimizer/src/test/fixtures/}
 * @param folder prefix of the version folder, "" for none
 * @param version bumped whenever the script changes what it writes
 * @param marker a file every complete fixture holds (written last, with meta.properties)
 */
public record FixtureSet(String script, String folder, int version, String marker) {
    private static final String FIXTURES_DIR = "optimizer/src/test/fixtures/";
    private static final String ENSURE_VENV = "tools/ensure-venv.sh";
    private static final long TIMEOUT_MINUTES =
            Long.getLong("mlpack.fixtures.timeoutMinutes", 60);
    private static final Object JVM_LOCK = new Object();

    /** The folder of fixture {@code name}, generating it first if needed. */
    public Path fixture(String name) {
        return fixtures(name).get(name);
    }

    /**
     * The folders of the given fixtures, generating the missing ones in a single run of the
     * script (cheaper than one run per name).
     */
    public Map<String, Path> fixtures(String... names) {
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

    /** {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/<folder>v<version>}. */
    public Path root() {
        String base = System.getProperty("mlpack.fixtures");
        if (base == null || base.isBlank()) {
            base = System.getenv("MLPACK_FIXTURES");
        }
        Path dir = base == null || base.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "mlpack", "fixtures")
                : Path.of(base);
        return dir.toAbsolutePath().resolve(folder + "v" + version);
    }

    private boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve("meta.properties"))
                && Files.isRegularFile(dir.resolve(marker))
                && Files.isDirectory(dir.resolve("saved_model"));
    }

    // ------------------------------------------------------------------ generation

    private void generate(Path root, List<String> names) {
        Path repo = repoRoot();
        if (repo == null) unavailable("the mlpack repository root is not found (set -Dmlpack.repo)", "", onCi());
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

    private void generateLocked(Path repo, Path root, List<String> names) throws IOException {
        List<String> todo = names.stream().filter(n -> !isComplete(root.resolve(n))).toList();
        if (todo.isEmpty()) {
            return; // another JVM made them while we waited
        }
        Path log = root.resolve("generate.log");
        long start = Files.exists(log) ? Files.size(log) : 0;
        String python = python(repo, log);
        List<String> cmd = List.of(python, repo.resolve(FIXTURES_DIR + script).toString(), root.toString(),
                "--only", String.join(",", todo));
        int rc = run(cmd, repo, log);
        List<String> stillMissing = todo.stream().filter(n -> !isComplete(root.resolve(n))).toList();
        if (rc != 0 || !stillMissing.isEmpty()) {
            throw new IllegalStateException(script + " exited " + rc + ", missing " + stillMissing
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
        if (!onPath("python3")) {
            unavailable("neither the venv (" + ENSURE_VENV + ") nor python3 is available", tail(log, start, 20), onCi());
        }
        int rc = run(List.of("python3", "-c", "import tensorflow, keras, PIL"), repo, log);
        if (rc != 0) {
            unavailable("the venv (" + ENSURE_VENV + ") could not be made and python3 lacks tensorflow/keras/pillow",
                    tail(log, start, 20), onCi());
        }
        return "python3";
    }

    /**
     * No Python to generate fixtures with: the calling test is skipped, or under CI fails, since CI passing without
     * the fixture tests would claim coverage it does not have.
     */
    static void unavailable(String why, String log, boolean onCi) {
        String details = log.isBlank() ? "" : "\nlog:\n" + log;
        if (onCi) {
            fail("CI=true, so the Python-generated test fixtures are required, but they cannot be made: " + why
                    + "\n(CI needs a python3 that can create " + ENSURE_VENV + "'s venv; without CI=true these tests are skipped)"
                    + details);
        }
        abort("skipped: the Python-generated test fixtures cannot be made: " + why + details);
    }

    /** Whether the tests run under CI, which sets CI=true (GitHub Actions, GitLab CI and most others). */
    private static boolean onCi() { return "true".equalsIgnoreCase(System.getenv("CI")); }

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
        return Files.isRegularFile(d.resolve(FIXTURES_DIR + "fixturelib.py"))
                && Files.isRegularFile(d.resolve(ENSURE_VENV))
                && (Files.isRegularFile(d.resolve("pom.xml")) || Files.exists(d.resolve(".git")));
    }
}
