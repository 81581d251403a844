package dev.mlpack.optimizer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The bundled sample under samples/, committed to the repository, so tests using it need no Python. */
public final class Samples {
    private Samples() {}

    public static Path root() {
        Path repo = Path.of(System.getProperty("mlpack.repo", ".."));
        return repo.resolve("samples").toAbsolutePath().normalize();
    }

    public static Path model() { return root().resolve("model"); }

    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    public static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
