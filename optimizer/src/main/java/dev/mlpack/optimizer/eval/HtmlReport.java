package dev.mlpack.optimizer.eval;

import static dev.mlpack.optimizer.eval.ReportFormat.accuracy;
import static dev.mlpack.optimizer.eval.ReportFormat.latency;
import static dev.mlpack.optimizer.eval.ReportFormat.percent;

import dev.mlpack.optimizer.eval.EvaluationReport.ClassStats;
import dev.mlpack.optimizer.eval.EvaluationReport.ImageResult;
import dev.mlpack.optimizer.eval.EvaluationReport.ModelStats;
import dev.mlpack.optimizer.stats.Metrics;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Writes an {@link EvaluationReport} as one self-contained HTML file: a summary table, and charts drawn with XChart and
 * embedded as PNG data URIs (accuracy, per-class accuracy, top-1 confidence, the candidate's confusion matrix,
 * latency), plus thumbnails of the images the two models disagree on. No external assets: the file works offline.
 *
 * <p>Charts are rendered headless ({@code java.awt.headless=true} is set unless already decided). Charts that need
 * per-image results ({@link EvaluationReport#images()}) are left out when the report has none.
 */
public final class HtmlReport {
    static {
        // Before any AWT class decides whether a display exists.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** The most disagreement thumbnails shown. */
    public static final int MAX_THUMBNAILS = 24;
    /** The longest side of a thumbnail, in pixels. */
    public static final int THUMBNAIL_SIZE = 96;
    /** The most classes drawn in the per-class chart and the confusion matrix. */
    public static final int MAX_CLASSES = 40;

    private static final Color REFERENCE = new Color(0x4C72B0);
    private static final Color CANDIDATE = new Color(0xDD8452);
    private static final int WIDTH = 900;

    private HtmlReport() {}

    /** Writes the report to {@code file} atomically (a temporary file beside it, then a rename). */
    public static void write(EvaluationReport report, Path file) throws IOException {
        String html = render(report);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            // createTempFile makes owner-only files; a report is meant to be shared.
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // non-POSIX file systems keep their default permissions
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The HTML document. */
    public static String render(EvaluationReport r) {
        StringBuilder h = new StringBuilder(1 << 16);
        ModelStats ref = r.reference();
        ModelStats cand = r.candidate();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mlpack evaluate: ")
                .append(esc(name(cand.path()))).append(" vs ").append(esc(name(ref.path()))).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}")
                .append("th{background:#f2f2f2}td.num{text-align:right}img.chart{display:block;margin:8px 0;border:1px solid #eee}")
                .append(".gallery{display:flex;flex-wrap:wrap;gap:10px}.thumb{border:1px solid #ddd;padding:6px;width:150px;font-size:12px}")
                .append(".thumb img{display:block;margin:0 auto 4px auto;image-rendering:pixelated}.ok{color:#2a7d2a}.bad{color:#b22}")
                .append("\n</style></head><body>\n");
        h.append("<h1>Evaluation report</h1>\n<p>").append(r.n()).append(r.n() == 1 ? " image" : " images").append(" in ")
                .append(r.labels().size()).append(" classes, ").append(r.threads()).append(r.threads() == 1 ? " thread" : " threads")
                .append(", ").append(String.format(Locale.ROOT, "%.1f s", r.seconds()));
        if (!r.skipped().isEmpty()) h.append(", ").append(r.skipped().size()).append(" skipped");
        h.append(".</p>\n");
        for (String w : r.warnings()) h.append("<p class=\"bad\"><b>Warning:</b> ").append(esc(w)).append("</p>\n");

        summary(h, r);

        h.append("<h2>Accuracy</h2>\n");
        img(h, accuracyChart(r), "accuracy");
        h.append("<h2>Per-class top-1 accuracy</h2>\n");
        List<ClassStats> classes = r.perClass();
        if (classes.size() > MAX_CLASSES) {
            classes = classes.stream().sorted(Comparator.comparingDouble(ClassStats::candidateTop1)).limit(MAX_CLASSES).toList();
            h.append("<p>The ").append(MAX_CLASSES).append(" classes with the lowest candidate accuracy of ")
                    .append(r.perClass().size()).append(".</p>\n");
        }
        img(h, perClassChart(classes), "per-class accuracy");

        List<ImageResult> images = r.images();
        if (images.isEmpty()) {
            h.append("<p>This report has no per-image results: confidence, confusion, latency and disagreement"
                    + " charts are left out.</p>\n");
        } else {
            h.append("<h2>Top-1 confidence</h2>\n");
            img(h, histogramChart("Top-1 score distribution", "top-1 probability",
                    clip(images.stream().map(ImageResult::referenceScore).toList(), 1),
                    clip(images.stream().map(ImageResult::candidateScore).toList(), 1), 20, 0, 1), "confidence histogram");
            h.append("<h2>Confusion matrix (candidate)</h2>\n");
            img(h, confusionChart(r, images), "confusion matrix");
            h.append("<h2>Latency</h2>\n");
            List<Double> rl = images.stream().map(ImageResult::referenceMs).toList();
            List<Double> cl = images.stream().map(ImageResult::candidateMs).toList();
            double max = Math.max(Metrics.percentile(rl.stream().mapToDouble(Double::doubleValue).toArray(), 99),
                    Metrics.percentile(cl.stream().mapToDouble(Double::doubleValue).toArray(), 99));
            if (!(max > 0)) max = 1;
            img(h, histogramChart("Per-image latency (up to the 99th percentile)", "milliseconds", clip(rl, max),
                    clip(cl, max), 25, 0, max), "latency histogram");
            gallery(h, r, images);
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    // ------------------------------------------------------------------ sections

    private static void summary(StringBuilder h, EvaluationReport r) {
        ModelStats ref = r.reference();
        ModelStats cand = r.candidate();
        h.append("<h2>Summary</h2>\n<table>\n<tr><th></th><th>reference</th><th>candidate</th></tr>\n");
        row(h, "model", esc(ref.path()), esc(cand.path()));
        row(h, "input", esc(ref.format() + ", " + ref.input()), esc(cand.format() + ", " + cand.input()));
        row(h, "size", bytes(ref.bytes()), bytes(cand.bytes()));
        row(h, "top-1", accuracy(ref.top1(), ref.top1Ci()), accuracy(cand.top1(), cand.top1Ci()));
        row(h, "top-" + r.topK(), accuracy(ref.topKAccuracy(), ref.topKCi()), accuracy(cand.topKAccuracy(), cand.topKCi()));
        row(h, "latency p50 / p95", latency(ref), latency(cand));
        h.append("</table>\n<table>\n");
        h.append("<tr><th>agreement top-1</th><td class=\"num\">").append(percent(r.agreementTop1())).append("</td></tr>\n");
        h.append("<tr><th>mean KL (reference || candidate)</th><td class=\"num\">")
                .append(String.format(Locale.ROOT, "%.5f nats", r.meanKl())).append("</td></tr>\n");
        h.append("<tr><th>peak memory</th><td class=\"num\">").append(r.peakMemoryBytes() > 0 ? bytes(r.peakMemoryBytes()) : "-")
                .append("</td></tr>\n</table>\n");
        if (!r.skipped().isEmpty()) {
            h.append("<p>Skipped:</p><ul>\n");
            r.skipped().stream().limit(20).forEach(s -> h.append("<li>").append(esc(s.file())).append(": ").append(esc(s.reason()))
                    .append("</li>\n"));
            if (r.skipped().size() > 20) h.append("<li>... and ").append(r.skipped().size() - 20).append(" more</li>\n");
            h.append("</ul>\n");
        }
    }

    private static void gallery(StringBuilder h, EvaluationReport r, List<ImageResult> images) {
        List<ImageResult> disagree = images.stream().filter(i -> i.referenceTop1() != i.candidateTop1()).toList();
        h.append("<h2>Disagreements</h2>\n<p>").append(disagree.size()).append(disagree.size() == 1 ? " image" : " images")
                .append(" on which the models' top-1 classes differ");
        if (disagree.size() > MAX_THUMBNAILS) h.append(", the first ").append(MAX_THUMBNAILS).append(" shown");
        h.append(".</p>\n<div class=\"gallery\">\n");
        ImageDecoder decoder = new ImageDecoder();
        for (ImageResult i : disagree.subList(0, Math.min(MAX_THUMBNAILS, disagree.size()))) {
            h.append("<div class=\"thumb\">");
            String png = thumbnail(decoder, Path.of(i.file()));
            if (png != null) {
                h.append("<img alt=\"").append(esc(name(i.file()))).append("\" src=\"data:image/png;base64,").append(png).append("\">");
            } else {
                h.append("<div>(unreadable)</div>");
            }
            h.append("<div title=\"").append(esc(i.file())).append("\"><b>").append(esc(name(i.file()))).append("</b></div>");
            h.append("<div>true: ").append(esc(label(r, i.label()))).append("</div>");
            prediction(h, r, "ref", i.referenceTop1(), i.referenceScore(), i.label());
            prediction(h, r, "cand", i.candidateTop1(), i.candidateScore(), i.label());
            h.append("</div>\n");
        }
        h.append("</div>\n");
    }

    private static void prediction(StringBuilder h, EvaluationReport r, String who, int top, double score, int label) {
        h.append("<div class=\"").append(top == label ? "ok" : "bad").append("\">").append(who).append(": ")
                .append(esc(label(r, top))).append(String.format(Locale.ROOT, " (%.2f)", score)).append("</div>");
    }

    // ------------------------------------------------------------------ charts

    private static CategoryChart accuracyChart(EvaluationReport r) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(380).title("Accuracy (95% CI in the table)")
                .yAxisTitle("accuracy").build();
        style(c);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0%");
        List<String> x = List.of("top-1", "top-" + r.topK());
        c.addSeries("reference", x, List.of(r.reference().top1(), r.reference().topKAccuracy())).setFillColor(REFERENCE);
        c.addSeries("candidate", x, List.of(r.candidate().top1(), r.candidate().topKAccuracy())).setFillColor(CANDIDATE);
        return c;
    }

    private static CategoryChart perClassChart(List<ClassStats> classes) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(420).title("Top-1 accuracy per class")
                .yAxisTitle("accuracy").build();
        style(c);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0%")
                .setXAxisLabelRotation(classes.size() > 8 ? 45 : 0);
        List<String> x = classes.stream().map(ClassStats::label).toList();
        c.addSeries("reference", x, classes.stream().map(ClassStats::referenceTop1).toList()).setFillColor(REFERENCE);
        c.addSeries("candidate", x, classes.stream().map(ClassStats::candidateTop1).toList()).setFillColor(CANDIDATE);
        return c;
    }

    private static CategoryChart histogramChart(String title, String xTitle, List<Double> reference, List<Double> candidate,
                                                int bins, double min, double max) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(380).title(title).xAxisTitle(xTitle)
                .yAxisTitle("images").build();
        style(c);
        CategoryStyler st = c.getStyler();
        st.setOverlapped(true);
        st.setAvailableSpaceFill(0.96);
        st.setXAxisLabelRotation(45);
        st.setXAxisDecimalPattern(max <= 1 ? "0.00" : max >= 20 ? "0" : max >= 2 ? "0.0" : "0.00");
        Histogram hr = new Histogram(reference, bins, min, max);
        Histogram hc = new Histogram(candidate, bins, min, max);
        c.addSeries("reference", hr.getxAxisData(), hr.getyAxisData()).setFillColor(withAlpha(REFERENCE, 170));
        c.addSeries("candidate", hc.getxAxisData(), hc.getyAxisData()).setFillColor(withAlpha(CANDIDATE, 170));
        return c;
    }

    private static HeatMapChart confusionChart(EvaluationReport r, List<ImageResult> images) {
        int n = r.labels().size();
        int[][] m = new int[n][n];
        int[] errors = new int[n];
        boolean[] present = new boolean[n];
        for (ImageResult i : images) {
            if (i.label() < 0 || i.label() >= n || i.candidateTop1() < 0 || i.candidateTop1() >= n) continue;
            m[i.label()][i.candidateTop1()]++;
            present[i.label()] = true;
            present[i.candidateTop1()] = true;
            if (i.label() != i.candidateTop1()) errors[i.label()]++;
        }
        List<Integer> shown = new ArrayList<>();
        for (int k = 0; k < n; k++) if (present[k]) shown.add(k);
        if (shown.size() > MAX_CLASSES) {
            shown = shown.stream().sorted(Comparator.comparingInt((Integer k) -> -errors[k])).limit(MAX_CLASSES).sorted().toList();
        }
        List<String> names = shown.stream().map(k -> r.labels().get(k)).toList();
        List<String> rows = new ArrayList<>(names).reversed(); // the first class at the top, as in a table
        List<Number[]> heat = new ArrayList<>();
        int max = 0;
        for (int a = 0; a < shown.size(); a++) {
            for (int p = 0; p < shown.size(); p++) {
                int v = m[shown.get(a)][shown.get(p)];
                max = Math.max(max, v);
                // x = predicted, y = actual; y runs bottom-up, so rows are reversed to put the first class on top
                heat.add(new Number[] {p, shown.size() - 1 - a, v});
            }
        }
        int side = Math.min(WIDTH, 260 + 40 * shown.size());
        HeatMapChart c = new HeatMapChartBuilder().width(side + 120).height(side).title("Candidate: actual (rows) vs predicted")
                .xAxisTitle("predicted").yAxisTitle("actual").build();
        HeatMapStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendVisible(true);
        st.setLegendPosition(LegendPosition.OutsideE);
        st.setShowValue(shown.size() <= 20);
        st.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setMin(0);
        st.setMax(Math.max(1, max));
        st.setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        st.setXAxisLabelRotation(shown.size() > 8 ? 45 : 0);
        c.addSeries("images", names, rows, heat);
        return c;
    }

    private static void style(CategoryChart c) {
        CategoryStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setLegendPosition(LegendPosition.OutsideE);
        st.setPlotGridVerticalLinesVisible(false);
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static List<Double> clip(List<Double> values, double max) {
        return values.stream().map(v -> Math.min(v, max)).toList();
    }

    private static void img(StringBuilder h, Chart<?, ?> chart, String alt) {
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the " + alt + " chart: " + e.getMessage(), e);
        }
        h.append("<img class=\"chart\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    }

    /** The image scaled to fit {@link #THUMBNAIL_SIZE}, as base64 PNG; null when it cannot be read. */
    static String thumbnail(ImageDecoder decoder, Path file) {
        try {
            RgbImage src = decoder.decode(file);
            int w = src.width();
            int hgt = src.height();
            BufferedImage in = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < hgt; y++) for (int x = 0; x < w; x++) in.setRGB(x, y, src.rgbAt(x, y));
            double scale = Math.min(1.0, (double) THUMBNAIL_SIZE / Math.max(w, hgt));
            // Small images (such as 28x28 samples) are enlarged to be visible; large ones shrink to fit.
            if (Math.max(w, hgt) < THUMBNAIL_SIZE / 2) scale = Math.floor((double) THUMBNAIL_SIZE / Math.max(w, hgt));
            int tw = Math.max(1, Math.min(THUMBNAIL_SIZE, (int) Math.round(w * scale)));
            int th = Math.max(1, Math.min(THUMBNAIL_SIZE, (int) Math.round(hgt * scale)));
            BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale >= 1
                        ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(in, 0, 0, tw, th, null);
            } finally {
                g.dispose();
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (!ImageIO.write(out, "png", bytes)) return null;
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (Exception e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ text

    private static void row(StringBuilder h, String name, String a, String b) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(a).append("</td><td>").append(b).append("</td></tr>\n");
    }

    private static String label(EvaluationReport r, int index) {
        return index >= 0 && index < r.labels().size() ? r.labels().get(index) : "#" + index;
    }

    private static String name(String path) {
        Path p = Path.of(path).getFileName();
        return p == null ? path : p.toString();
    }

    private static String bytes(long b) {
        if (b < 0) return "-";
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        do {
            v /= 1024;
            u++;
        } while (v >= 1024 && u < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
