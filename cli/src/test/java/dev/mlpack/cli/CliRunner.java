package dev.mlpack.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in-process with captured output. */
final class CliRunner {
    record Result(int code, String out, String err) {
        /** The stderr lines. */
        java.util.List<String> errLines() { return err.lines().toList(); }
    }

    private CliRunner() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The repository root: system property mlpack.repo (set by the build), else the nearest folder up holding samples/. */
    static Path repo() {
        String p = System.getProperty("mlpack.repo");
        if (p != null && !p.isBlank() && Files.isDirectory(Path.of(p, "cli"))) return Path.of(p).toAbsolutePath();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("samples")) && Files.isDirectory(d.resolve("cli"))) return d;
        }
        return Path.of("").toAbsolutePath();
    }

    /** The bundled sample SavedModel, or null when it has not been generated. */
    static Path sampleModel() {
        Path m = repo().resolve("samples/model");
        return Files.isRegularFile(m.resolve("saved_model.pb")) ? m : null;
    }
}
