package dev.mlpack.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.Converter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes the {@code --json} reports: pretty-printed, atomically (temporary file, then rename). */
final class JsonFiles {
    private static final JSON JSON_WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);
    /** Writes null values as {@code null} instead of leaving their keys out (jackson-jr's default). */
    private static final JSON JSON_WRITER_NULLS = JSON_WRITER.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private JsonFiles() {}

    static String toJson(Object value) {
        return toJson(value, false);
    }

    /** With {@code nulls}, keys whose value is null are written as {@code "key": null} rather than left out. */
    static String toJson(Object value, boolean nulls) {
        try {
            return (nulls ? JSON_WRITER_NULLS : JSON_WRITER).asString(value);
        } catch (IOException e) {
            throw new ConversionException(ConversionException.Kind.INTERNAL, "cannot serialise the JSON report: " + e.getMessage(), e);
        }
    }

    static void write(Path file, Object value) {
        write(file, value, false);
    }

    static void write(Path file, Object value, boolean nulls) {
        Converter.writeAtomically(file, (toJson(value, nulls) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
