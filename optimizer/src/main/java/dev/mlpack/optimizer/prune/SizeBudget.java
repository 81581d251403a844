package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.errors.ConversionException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --max-size}: the most bytes the model may take, measured on its gzip -9 stream (what a Heroku slug or a
 * compressed download costs) or, with {@code --budget-on file}, on the raw file.
 */
public record SizeBudget(long maxBytes, boolean onFile) {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?",
            Pattern.CASE_INSENSITIVE);

    public SizeBudget {
        if (maxBytes < 1) throw ConversionException.badInput("--max-size must be at least 1 byte");
    }

    /** {@code 1500000}, {@code 800KB}, {@code 1.5MB} (1 KB = 1024 bytes, as mlpack prints sizes). */
    public static long parseSize(String s) {
        Matcher m = SIZE.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw ConversionException.badInput("--max-size " + s + " is not a size: give bytes (1500000), KB (800KB) or MB (1.5MB)");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        double factor = switch (unit.charAt(0)) {
            case 'k' -> 1024;
            case 'm' -> 1024 * 1024;
            case 'g' -> 1024.0 * 1024 * 1024;
            default -> 1;
        };
        long bytes = (long) Math.floor(number * factor);
        if (bytes < 1) throw ConversionException.badInput("--max-size " + s + " is less than one byte");
        return bytes;
    }

    /** {@code --budget-on gzip|file}. */
    public static boolean parseOnFile(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "gzip" -> false;
            case "file" -> true;
            default -> throw ConversionException.badInput("--budget-on " + s + " is not one of gzip, file");
        };
    }

    /** The size this budget counts: the raw file or its gzip -9 stream. */
    public long measure(long fileBytes, long compressedBytes) { return onFile ? fileBytes : compressedBytes; }

    public boolean fits(long fileBytes, long compressedBytes) { return measure(fileBytes, compressedBytes) <= maxBytes; }

    public String what() { return onFile ? "file size" : "gzip -9 size"; }
}
