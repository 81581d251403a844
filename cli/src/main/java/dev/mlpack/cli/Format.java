package dev.mlpack.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Human-readable sizes, times and histograms for the command output. */
final class Format {
    private Format() {}

    /** {@code 812 B}, {@code 12.3 KB}, {@code 4.56 MB}, {@code 1.20 GB} (1 KB = 1024 bytes). */
    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.2f MB", n / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GB", n / (1024.0 * 1024 * 1024));
    }

    static String seconds(double s) {
        return s < 10 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.1f s", s);
    }

    /** Seconds rounded to milliseconds, for JSON. */
    static double millisPrecision(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** The histogram ordered by count (highest first), then name. */
    static Map<String, Integer> byCount(Map<String, Integer> histogram) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(histogram.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) out.put(e.getKey(), e.getValue());
        return out;
    }

    static int total(Map<String, Integer> histogram) {
        return histogram.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code CONV_2D 3, ADD 2, ... (+4 more)}: the {@code top} most frequent entries on one line. */
    static String top(Map<String, Integer> histogram, int top) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, Integer> e : byCount(histogram).entrySet()) {
            if (i == top) {
                sb.append(", ... (+").append(histogram.size() - top).append(" more)");
                break;
            }
            if (i++ > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.toString();
    }

    /** One {@code NAME  count} line per entry, counts right-aligned, ordered by count. */
    static List<String> table(Map<String, Integer> histogram, String indent) {
        int width = histogram.keySet().stream().mapToInt(String::length).max().orElse(0);
        int digits = histogram.values().stream().mapToInt(v -> Integer.toString(v).length()).max().orElse(1);
        List<String> lines = new ArrayList<>();
        byCount(histogram).forEach((k, v) -> lines.add(indent + pad(k, width) + "  " + padLeft(Integer.toString(v), digits)));
        return lines;
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** TensorFlow dtype names as TFLite spells them: float to float32, double to float64, half to float16. */
    static String dtype(String tfName) {
        return switch (tfName) {
            case "float" -> "float32";
            case "double" -> "float64";
            case "half" -> "float16";
            default -> tfName;
        };
    }

    /** {@code [1, 32, 32, 3]}, with {@code ?} for unknown (negative) dimensions. */
    static String shape(int[] dims) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims[i] < 0 ? "?" : Integer.toString(dims[i]));
        }
        return sb.append(']').toString();
    }
}
