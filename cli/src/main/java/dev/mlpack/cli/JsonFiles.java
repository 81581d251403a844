package dev.mlpack.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.optimizer.ConversionException;
import dev.mlpack.optimizer.Converter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes the {@code --json} reports: pretty-printed, atomically (temporary file, then rename). */
final class JsonFiles {
    private static final JSON JSON_WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private JsonFiles() {}

    static String toJson(Object value) {
        try {
            return JSON_WRITER.asString(value);
        } catch (IOException e) {
            throw new ConversionException(ConversionException.Kind.INTERNAL, "cannot serialise the JSON report: " + e.getMessage(), e);
        }
    }

    static void write(Path file, Object value) {
        Converter.writeAtomically(file, (toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
