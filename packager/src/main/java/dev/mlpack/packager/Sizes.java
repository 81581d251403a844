package dev.mlpack.packager;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as people write them ({@code 500MB}, {@code 1.5GB}, {@code 300000}); binary units, as Heroku's limits. */
public final class Sizes {
    public static final long KB = 1024;
    public static final long MB = 1024 * KB;
    public static final long GB = 1024 * MB;
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    /**
     * Parses {@code N}, {@code NB}, {@code NKB}, {@code NMB}, {@code NGB} (also {@code K}, {@code M}, {@code G},
     * {@code MiB}...); units are powers of 1024.
     *
     * @throws PackageException (bad input) for anything else, or a size that is not positive
     */
    public static long parse(String text, String option) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw PackageException.badInput(option + " '" + text + "' is not a size: write e.g. 500MB, 1.5GB or 300000 (bytes)");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long scale = switch (unit.charAt(0)) {
            case 'k' -> KB;
            case 'm' -> MB;
            case 'g' -> GB;
            default -> 1;
        };
        long bytes = Math.round(value * scale);
        if (bytes <= 0) throw PackageException.badInput(option + " must be positive, got '" + text + "'");
        return bytes;
    }

    /** {@code 512.3 MB}, {@code 40.0 KB}, {@code 900 B}. */
    public static String format(long bytes) {
        if (bytes >= GB) return String.format(Locale.ROOT, "%.2f GB", (double) bytes / GB);
        if (bytes >= MB) return String.format(Locale.ROOT, "%.1f MB", (double) bytes / MB);
        if (bytes >= KB) return String.format(Locale.ROOT, "%.1f KB", (double) bytes / KB);
        return bytes + " B";
    }
}
