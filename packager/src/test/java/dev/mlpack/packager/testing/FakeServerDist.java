package dev.mlpack.packager.testing;

import dev.mlpack.packager.ServerDist;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Lays out a server distribution around the {@link FakeServer} TEST DOUBLE: {@code mlpack-server.jar} (Main-Class and
 * {@code Class-Path: lib/...} as the contract says) and {@code lib/} with the runtime module and its dependencies,
 * taken from this test's classpath (folders of classes are jarred).
 */
public final class FakeServerDist {
    private static Path cached;

    private FakeServerDist() {}

    /** One distribution per test JVM (building it copies ~10 MB of jars). */
    public static synchronized ServerDist get() {
        if (cached == null) {
            try {
                Path dir = Files.createTempDirectory("mlpack-fake-server-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                build(dir);
                cached = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ServerDist.at(cached);
    }

    static void build(Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String s = p.toString();
            boolean runtimeClasses = Files.isDirectory(p) && s.replace('\\', '/').endsWith("runtime/target/classes");
            boolean wanted = s.contains("mlpack-runtime") || s.contains("tensorflow-lite") || s.contains("javacpp")
                    || s.contains("flatbuffers") || s.contains("jackson-jr-objects") || s.contains("jackson-core");
            if (runtimeClasses) {
                jarFolder(p, lib.resolve("mlpack-runtime-0.1.0.jar"));
                names.add("mlpack-runtime-0.1.0.jar");
            } else if (wanted && Files.isRegularFile(p)) {
                Files.copy(p, lib.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                names.add(p.getFileName().toString());
            }
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, FakeServer.class.getName());
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", names.stream().sorted().map(n -> "lib/" + n).toList()));
        a.putValue("Enable-Native-Access", "ALL-UNNAMED");
        Path classes = Path.of(FakeServer.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        String pkg = FakeServer.class.getPackageName().replace('.', '/');
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve(ServerDist.JAR_NAME)), mf)) {
            if (Files.isDirectory(classes)) {
                try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith("FakeServer")).sorted().toList()) {
                        put(jar, pkg + "/" + f.getFileName(), f);
                    }
                }
            } else { // the packager's test jar, on another module's test classpath
                try (java.util.jar.JarFile tests = new java.util.jar.JarFile(classes.toFile())) {
                    for (JarEntry e : tests.stream().filter(e -> e.getName().startsWith(pkg + "/FakeServer")).toList()) {
                        jar.putNextEntry(new JarEntry(e.getName()));
                        try (InputStream in = tests.getInputStream(e)) {
                            in.transferTo(jar);
                        }
                        jar.closeEntry();
                    }
                }
            }
        }
    }

    /** The folder of {@link #get()}'s distribution, for -Dmlpack.server.dist. */
    public static Path folder() {
        return get().jar().getParent();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    private static void jarFolder(Path root, Path jarFile) throws IOException {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(jarFile)); Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) put(jar, root.relativize(f).toString().replace('\\', '/'), f);
        }
    }

    private static void put(JarOutputStream jar, String name, Path file) throws IOException {
        JarEntry e = new JarEntry(name);
        e.setTime(0);
        jar.putNextEntry(e);
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo((OutputStream) jar);
        }
        jar.closeEntry();
    }
}
