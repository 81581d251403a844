package dev.mlpack.optimizer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.eval.EvaluationReport.ImageResult;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report of the bundled sample (SavedModel against int8): self-contained, and rendering in Chromium. */
class HtmlReportTest {
    /** Accuracy, per-class, confidence, confusion, latency. */
    static final int CHARTS = 5;
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Pattern DATA_URI = Pattern.compile("<img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    @TempDir static Path tmp;
    static EvaluationReport report;

    @BeforeAll
    static void evaluate() {
        Path images = Samples.root().resolve("images");
        Path int8 = tmp.resolve("sample-int8.tflite");
        Converter.convert(ConversionRequest.builder(Samples.model(), int8).quantize(Quantize.INT8).calibration(images)
                .calibrationSamples(100).preprocess(Preprocess.TF).resize(Resize.BILINEAR)
                .labels(Samples.root().resolve("labels.txt")).build());
        report = Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8, images).limit(100).threads(2).build());
    }

    @Test
    void reportHasPerImageResults() {
        assertEquals(report.n(), report.images().size());
        long agree = report.images().stream().filter(i -> i.referenceTop1() == i.candidateTop1()).count();
        assertEquals(report.agreementTop1(), (double) agree / report.n(), 1e-9);
        long correct = report.images().stream().filter(i -> i.candidateTop1() == i.label()).count();
        assertEquals(report.candidate().top1Correct(), correct);
        for (ImageResult i : report.images()) {
            assertTrue(i.referenceScore() > 0 && i.referenceScore() <= 1.000001, String.valueOf(i.referenceScore()));
            assertTrue(i.candidateScore() > 0 && i.candidateScore() <= 1.000001, String.valueOf(i.candidateScore()));
            assertTrue(i.referenceMs() > 0 && i.candidateMs() > 0);
        }
    }

    @Test
    void selfContainedHtml() throws IOException {
        Path html = tmp.resolve("out/report.html");
        HtmlReport.write(report, html);
        String s = Files.readString(html);
        int disagreements = (int) report.images().stream().filter(i -> i.referenceTop1() != i.candidateTop1()).count();
        List<byte[]> pngs = pngs(s);
        assertEquals(CHARTS + Math.min(HtmlReport.MAX_THUMBNAILS, disagreements), pngs.size());
        assertEquals(pngs.size(), count(s, "<img"));
        // Base64 may spell "http" by chance: look at the markup without the embedded PNGs.
        String markup = s.replaceAll("data:image/png;base64,[A-Za-z0-9+/=]+", "data:").toLowerCase(Locale.ROOT);
        assertFalse(markup.contains("http"), "external references");
        assertFalse(markup.contains("<script") || markup.contains("<link") || markup.contains("url("), "external assets");
        assertEquals(pngs.size(), count(markup, "src=\"data:"), "every src is a data URI");
        assertEquals(count(markup, "src="), count(markup, "src=\"data:"), "every src is a data URI");
        for (byte[] png : pngs) assertNotNull(ImageIO.read(new java.io.ByteArrayInputStream(png)), "a PNG");
        assertTrue(s.contains("top-1") && s.contains("top-5") && s.contains("mean KL") && s.contains("peak memory"));
        if (html.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertTrue(Files.getPosixFilePermissions(html).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
        }
        try (var files = Files.list(html.getParent())) {
            assertEquals(List.of(html), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void atMost24Thumbnails() throws IOException {
        // Make every image a disagreement: the gallery shows 24, with both predictions.
        List<ImageResult> flipped = new ArrayList<>();
        for (ImageResult i : report.images()) {
            flipped.add(new ImageResult(i.file(), i.label(), i.referenceTop1(), i.referenceScore(),
                    (i.referenceTop1() + 1) % report.labels().size(), 0.5, i.referenceMs(), i.candidateMs()));
        }
        EvaluationReport r = new EvaluationReport(report.n(), report.topK(), report.threads(), report.labels(),
                report.reference(), report.candidate(), 0, report.meanKl(), report.perClass(), report.skipped(),
                report.peakMemoryBytes(), report.seconds(), flipped, List.of());
        Path html = tmp.resolve("flipped.html");
        HtmlReport.write(r, html);
        String s = Files.readString(html);
        List<byte[]> pngs = pngs(s);
        assertEquals(CHARTS + HtmlReport.MAX_THUMBNAILS, pngs.size());
        assertEquals(HtmlReport.MAX_THUMBNAILS, count(s, "class=\"thumb\""));
        assertTrue(s.contains("the first 24 shown"));
        assertTrue(s.contains("cand: ") && s.contains("(0.50)"));
        for (byte[] png : pngs.subList(CHARTS, pngs.size())) {
            BufferedImage t = ImageIO.read(new java.io.ByteArrayInputStream(png));
            assertTrue(t.getWidth() <= HtmlReport.THUMBNAIL_SIZE && t.getHeight() <= HtmlReport.THUMBNAIL_SIZE,
                    t.getWidth() + "x" + t.getHeight());
        }
    }

    @Test
    void reportWithoutPerImageResults() throws IOException {
        EvaluationReport r = new EvaluationReport(report.n(), report.topK(), report.threads(), report.labels(),
                report.reference(), report.candidate(), report.agreementTop1(), report.meanKl(), report.perClass(),
                report.skipped(), report.peakMemoryBytes(), report.seconds());
        Path html = tmp.resolve("plain.html");
        HtmlReport.write(r, html);
        assertEquals(2, pngs(Files.readString(html)).size());
    }

    @Test
    void chartsRenderInChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        Path html = tmp.resolve("browser/report.html");
        HtmlReport.write(report, html);
        Path png = tmp.resolve("browser/screenshot.png");
        Path profile = Files.createDirectories(tmp.resolve("browser/profile"));
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,4000", "--screenshot=" + png,
                html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("browser/chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish in 120 s");
        }
        assertTrue(Files.isRegularFile(png), "no screenshot; Chromium said: " + Files.readString(tmp.resolve("browser/chromium.log")));
        String keep = System.getProperty("mlpack.htmlReport.screenshot");
        if (keep != null) Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage shot = ImageIO.read(png.toFile());
        assertNotNull(shot);
        Set<Integer> colours = new HashSet<>();
        int nonWhite = 0;
        int reference = 0;
        int candidate = 0;
        int heat = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int rgb = shot.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb != 0xFFFFFF) nonWhite++;
                if (near(rgb, 0x4C72B0)) reference++;
                if (near(rgb, 0xDD8452)) candidate++;
                if (near(rgb, 0x08306B) || near(rgb, 0x6BAED6)) heat++;
            }
        }
        String stats = colours.size() + " colours, " + nonWhite + " non-white, " + reference + " reference-blue, " + candidate
                + " candidate-orange, " + heat + " heat-map pixels";
        System.out.println("HtmlReport screenshot " + shot.getWidth() + "x" + shot.getHeight() + ": " + stats);
        assertTrue(colours.size() > 200, stats);
        assertTrue(nonWhite > 200_000, stats);
        // Bars of both models (accuracy and per-class charts) and the heat map's cells were drawn.
        assertTrue(reference > 20_000 && candidate > 20_000, stats);
        assertTrue(heat > 5_000, stats);
    }

    private static boolean near(int rgb, int target) {
        int dr = ((rgb >> 16) & 0xFF) - ((target >> 16) & 0xFF);
        int dg = ((rgb >> 8) & 0xFF) - ((target >> 8) & 0xFF);
        int db = (rgb & 0xFF) - (target & 0xFF);
        return Math.abs(dr) <= 12 && Math.abs(dg) <= 12 && Math.abs(db) <= 12;
    }

    private static List<byte[]> pngs(String html) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = DATA_URI.matcher(html);
        while (m.find()) out.add(java.util.Base64.getDecoder().decode(m.group(1)));
        return out;
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }
}
