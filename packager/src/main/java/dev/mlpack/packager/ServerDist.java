package dev.mlpack.packager;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The server distribution: {@code mlpack-server.jar} and the jars its manifest's {@code Class-Path} names (see
 * server-contract: copying the jar and {@code lib/} side by side gives a runnable server).
 *
 * @param jar the server jar (its file name may carry a version, e.g. in the CLI's {@code lib/})
 * @param libs the runtime dependencies, in the manifest's order
 */
public record ServerDist(Path jar, List<Path> libs) {
    public static final String MAIN_CLASS = "dev.mlpack.server.ServerMain";
    public static final String JAR_NAME = "mlpack-server.jar";
    public static final String PROPERTY = "mlpack.server.dist";

    public ServerDist {
        libs = List.copyOf(libs);
    }

    /**
     * Finds the distribution: the folder named by the system property {@value #PROPERTY}; else the jar holding
     * {@value #MAIN_CLASS} on this classpath and the jars its manifest names; else {@code server/target} of the
     * repository (system property {@code mlpack.home}).
     */
    public static ServerDist locate() {
        String home = System.getProperty("mlpack.home");
        return locate(home == null || home.isBlank() ? null : Path.of(home));
    }

    /** Like {@link #locate()}, with {@code repo} (may be null) as the repository whose server/target is tried last. */
    public static ServerDist locate(Path repo) {
        String dir = System.getProperty(PROPERTY);
        if (dir != null && !dir.isBlank()) return at(Path.of(dir));
        Path onClasspath = serverJarOnClasspath();
        if (onClasspath != null) return ofJar(onClasspath);
        if (repo != null) {
            Path built = repo.resolve("server").resolve("target");
            if (Files.isRegularFile(built.resolve(JAR_NAME))) return at(built);
        }
        throw new PackageException(PackageException.Kind.FAILED, "the server distribution (" + JAR_NAME + " and lib/) was not"
                + " found: build it with 'mvn -pl server -am package', or point -D" + PROPERTY + "=DIR at a folder holding it");
    }

    /** The distribution in {@code dir} ({@code dir/mlpack-server.jar}, its libraries in {@code dir/lib}). */
    public static ServerDist at(Path dir) {
        Path jar = dir.resolve(JAR_NAME);
        if (!Files.isRegularFile(jar)) {
            throw new PackageException(PackageException.Kind.FAILED, dir + " holds no " + JAR_NAME
                    + ": build the server with 'mvn -pl server -am package' (it writes server/target/" + JAR_NAME + " and lib/)");
        }
        return ofJar(jar);
    }

    /** {@code jar} and the libraries its manifest's {@code Class-Path} names, looked up beside it or in its {@code lib/}. */
    static ServerDist ofJar(Path jar) {
        List<Path> libs = new ArrayList<>();
        Path folder = jar.toAbsolutePath().getParent();
        for (String entry : classPath(jar)) {
            String name = entry.substring(entry.lastIndexOf('/') + 1);
            Path lib = folder.resolve(entry);
            if (!Files.isRegularFile(lib)) lib = folder.resolve(name);
            if (!Files.isRegularFile(lib)) {
                throw new PackageException(PackageException.Kind.FAILED, "the server jar " + jar + " needs " + entry
                        + ", which is neither in " + folder.resolve("lib") + " nor beside the jar: rebuild the server");
            }
            libs.add(lib);
        }
        return new ServerDist(jar, libs);
    }

    private static List<String> classPath(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            String main = m == null ? null : m.getMainAttributes().getValue("Main-Class");
            if (main == null) {
                throw new PackageException(PackageException.Kind.FAILED, jar + " has no Main-Class: it is not the server jar");
            }
            String cp = m.getMainAttributes().getValue("Class-Path");
            List<String> entries = new ArrayList<>();
            if (cp != null) {
                for (String e : cp.strip().split("\\s+")) {
                    if (!e.isEmpty()) entries.add(e);
                }
            }
            return entries;
        } catch (IOException e) {
            throw PackageException.failed("cannot read the server jar " + jar + ": " + e.getMessage(), e);
        }
    }

    private static Path serverJarOnClasspath() {
        try {
            Class<?> main = Class.forName(MAIN_CLASS, false, ServerDist.class.getClassLoader());
            CodeSource cs = main.getProtectionDomain().getCodeSource();
            if (cs == null) return null;
            Path p = Path.of(cs.getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (ClassNotFoundException | URISyntaxException | SecurityException e) {
            return null;
        }
    }

    /** The JDK running mlpack, which also runs the package-time steps and the self-check. */
    public static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Copies the distribution into {@code dir} as the contract lays it out ({@code mlpack-server.jar} and {@code lib/}),
     * and returns the copied jar. The jar only runs from such a layout: its manifest's {@code Class-Path} is relative.
     */
    public Path copyTo(Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        for (Path l : libs) Files.copy(l, lib.resolve(l.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path copy = dir.resolve(JAR_NAME);
        Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return copy;
    }

    /** Runs {@code java -jar JAR --extract-natives dir} (contract: writes the linux-x86_64 natives, exits 0). */
    public static void extractNatives(Path jar, Path dir) {
        run(jar, List.of("--extract-natives", dir.toAbsolutePath().toString()), 300, "extract the native libraries");
    }

    /** The server's {@code --help} text, to learn which optional flags it takes. */
    public static String help(Path jar) {
        return run(jar, List.of("--help"), 60, "list its options");
    }

    private static String run(Path jar, List<String> args, int timeoutSeconds, String what) {
        List<String> jvmArgs = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar.toAbsolutePath().toString()));
        jvmArgs.addAll(args);
        return runIn(null, jvmArgs, timeoutSeconds, what);
    }

    /**
     * Runs the current Java with {@code jvmArgs} (JVM options, then {@code -jar JAR} and its arguments) in {@code dir}
     * (null: the current folder); returns its output.
     *
     * @throws PackageException if it does not finish in time or exits with another code than 0
     */
    public static String runIn(Path dir, List<String> jvmArgs, int timeoutSeconds, String what) {
        List<String> cmd = new ArrayList<>(List.of(currentJava().toString()));
        cmd.addAll(jvmArgs);
        try {
            Path log = Files.createTempFile("mlpack-server-", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                if (dir != null) pb.directory(dir.toFile());
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new PackageException(PackageException.Kind.FAILED, "the server did not " + what + " within "
                            + timeoutSeconds + " s (" + String.join(" ", cmd) + ")");
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new PackageException(PackageException.Kind.FAILED, "the server could not " + what + " (exit "
                            + p.exitValue() + "): " + lastLine(out));
                }
                return out;
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw PackageException.failed("cannot run the server (" + String.join(" ", cmd) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PackageException.failed("interrupted", e);
        }
    }

    static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no output)" : lines[lines.length - 1].strip();
    }
}
