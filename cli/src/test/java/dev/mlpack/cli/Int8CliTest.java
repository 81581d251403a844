package dev.mlpack.cli;

import static dev.mlpack.cli.MainTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Quantize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code optimize --quantize int8} on the bundled sample: the result and its report, and every bad calibration input
 * giving exit 2, one stderr line and no output file. Skipped while the sample has not been generated.
 */
class Int8CliTest {
    /** Few calibration images keep the tests fast. */
    static final String SAMPLES = "20";

    @TempDir static Path tmp;
    static Path model;
    static Path images;
    static Path labels;
    static Path tflite;
    static Path json;
    static CliRunner.Result converted;

    @BeforeAll
    static void convertOnce() {
        model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        images = CliRunner.repo().resolve("samples/images");
        labels = CliRunner.repo().resolve("samples/labels.txt");
        tflite = tmp.resolve("sample-int8.tflite");
        json = tmp.resolve("sample-int8.json");
        converted = CliRunner.run("optimize", model.toString(), "-o", tflite.toString(), "--quantize", "int8",
                "--calibration", images.toString(), "--calibration-samples", SAMPLES, "--preprocess", "tf", "--resize", "bilinear",
                "--labels", labels.toString(), "--json", json.toString());
    }

    // ---- the conversion ------------------------------------------------------------------------------------------

    @Test
    void int8WritesTheModelAndTheJsonReport() throws IOException {
        assertEquals(0, converted.code(), converted.err());
        assertEquals("", converted.err(), "nothing on stderr when it is not a terminal");
        assertTrue(Files.size(tflite) > 0);

        Map<String, Object> m = JSON.std.mapFrom(Files.readString(json));
        assertEquals(List.of("output", "bytes", "quantize", "seconds", "ops", "calibration", "float_ops", "preprocess", "repairs",
                "classifier_output",
                "compressed_bytes", "sparsity", "pruned_sparsity", "per_layer_sparsity", "budget", "search"), List.copyOf(m.keySet()));
        assertEquals("int8", m.get("quantize"));
        assertEquals(Files.size(tflite), ((Number) m.get("bytes")).longValue());
        Map<?, ?> calibration = assertInstanceOf(Map.class, m.get("calibration"));
        assertEquals(List.of("samples", "method", "seconds", "auto_mean_kl"), List.copyOf(calibration.keySet()), "auto is the default");
        assertEquals(Integer.parseInt(SAMPLES), ((Number) calibration.get("samples")).intValue());
        Map<?, ?> scores = assertInstanceOf(Map.class, calibration.get("auto_mean_kl"));
        assertEquals(List.of("minmax", "mse"), List.copyOf(scores.keySet()));
        assertTrue(scores.containsKey(calibration.get("method")), "the method used is the one auto chose: " + calibration);
        assertTrue(((Number) calibration.get("seconds")).doubleValue() >= 0);
        assertInstanceOf(List.class, m.get("float_ops"));
    }

    @Test
    void int8SummaryShowsCalibrationFloatOpsAndSize() {
        String out = converted.out();
        assertTrue(out.startsWith("wrote " + tflite), out);
        assertTrue(out.contains("int8 weights and activations"), out);
        assertTrue(out.contains("uint8 pixels in, float32 out"), out);
        assertTrue(out.contains("calibration  " + SAMPLES + " images"), out);
        assertTrue(out.contains("float ops"), out);
        assertTrue(out.contains("of the float SavedModel"), out);
    }

    @Test
    void int8ModelTakesRawUint8PixelsAndReturnsFloats() {
        CliRunner.Result r = CliRunner.run("inspect", tflite.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("input") && l.contains("uint8")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("output") && l.contains("float32")), r.out());
    }

    @Test
    void floatConversionsReportNoCalibration() throws IOException {
        Path out = tmp.resolve("f16.tflite");
        Path report = tmp.resolve("f16.json");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", out.toString(), "--quantize", "float16", "--json", report.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = JSON.std.mapFrom(Files.readString(report));
        assertTrue(m.containsKey("calibration"), m.toString());
        assertEquals(null, m.get("calibration"));
        assertEquals(List.of(), m.get("float_ops"));
        assertFalse(r.out().contains("calibration"), r.out());
    }

    @Test
    void grayscaleRgbaAndJpegImagesAreAccepted() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("mixed"));
        Files.copy(firstSampleImage(), data.resolve("gray.png")); // the sample's own 8-bit grayscale PNG
        write(image(BufferedImage.TYPE_INT_ARGB), "png", data.resolve("rgba.png"));
        write(image(BufferedImage.TYPE_BYTE_GRAY), "jpg", data.resolve("gray.jpg"));
        write(image(BufferedImage.TYPE_INT_RGB), "jpg", data.resolve("rgb.jpg"));
        Path out = tmp.resolve("mixed.tflite");
        CliRunner.Result r = int8(data, out);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) > 0);
        assertTrue(r.out().contains("calibration  4 images"), r.out());
    }

    @Test
    void everyFloatOpIsPrinted() {
        List<String> floatOps = List.of("EXP (model/exp)", "ATAN2 (model/angle)", "EXP (model/exp_1)");
        ConversionResult r = new ConversionResult(Path.of("m.tflite"), 1000, Quantize.INT8, 1.5, Map.of("CONV_2D", 3),
                new ConversionResult.Calibration(7, "minmax", 0.25), floatOps);
        List<String> lines = OptimizeCommand.int8Lines(r);
        assertEquals("  calibration  7 images, minmax, 0.25 s", lines.get(0));
        assertTrue(lines.get(1).contains("3 left in float"), lines.toString());
        for (String op : floatOps) assertTrue(lines.contains("    " + op), lines.toString());
        assertEquals(floatOps, OptimizeCommand.toJson(r).get("float_ops"));
    }

    // ---- bad input: exit 2, one line, no output ------------------------------------------------------------------

    @Test
    void emptyCalibrationFolder() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(rejected(data, "no images").contains(data.toString()));
    }

    @Test
    void missingCalibrationFolder() {
        Path data = tmp.resolve("no-such-folder");
        assertTrue(rejected(data, "does not exist").contains(data.toString()));
    }

    @Test
    void calibrationFolderWithANonImageFileOnly() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("not-images"));
        Files.writeString(data.resolve("notes.txt"), "not an image");
        assertTrue(rejected(data, "no images").contains("notes.txt"));
    }

    @Test
    void truncatedJpegAmongTheImages() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("truncated"));
        try (Stream<Path> files = Files.list(firstSampleImage().getParent())) {
            for (Path png : files.sorted().limit(3).toList()) Files.copy(png, data.resolve(png.getFileName()));
        }
        Path whole = tmp.resolve("whole.jpg");
        write(image(BufferedImage.TYPE_INT_RGB), "jpg", whole);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(data.resolve("broken.jpg"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(rejected(data, "broken.jpg").contains("not a readable image"));
    }

    @Test
    void unknownPreprocessing() {
        String err = rejected(List.of("--calibration", images.toString(), "--preprocess", "bogus"));
        assertTrue(err.contains("--preprocess"), err);
        for (String valid : new String[] {"tf", "caffe", "torch", "raw"}) assertTrue(err.contains(valid), err);
    }

    @Test
    void unknownResizeAndCalibrationMethodNameTheValidValues() {
        String resize = rejected(List.of("--calibration", images.toString(), "--resize", "bogus"));
        assertTrue(resize.contains("bilinear, nearest, crop"), resize);
        String method = rejected(List.of("--calibration", images.toString(), "--calibration-method", "bogus"));
        assertTrue(method.contains("minmax, percentile, mse"), method);
    }

    @Test
    void int8WithoutCalibration() {
        String err = rejected(List.of());
        assertTrue(err.contains("--calibration"), err);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static CliRunner.Result int8(Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("optimize", model.toString(), "-o", out.toString(), "--quantize", "int8",
                "--calibration", data.toString(), "--calibration-samples", SAMPLES, "--preprocess", "tf", "--resize", "bilinear"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** Runs int8 on {@code data}: exit 2, one line mentioning {@code expected}, no model and no JSON written. */
    private static String rejected(Path data, String expected) {
        Path out = tmp.resolve(data.getFileName() + ".tflite");
        Path report = tmp.resolve(data.getFileName() + ".json");
        CliRunner.Result r = assertOneLineError(2, int8(data, out, "--json", report.toString()));
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(Files.exists(out), "no output file");
        assertFalse(Files.exists(report), "no json file");
        assertEquals("", r.out());
        return r.err();
    }

    /** Runs {@code optimize --quantize int8} with {@code options}: exit 2, one line, no model written. */
    private static String rejected(List<String> options) {
        Path out = tmp.resolve("rejected.tflite");
        List<String> args = new ArrayList<>(List.of("optimize", model.toString(), "-o", out.toString(), "--quantize", "int8"));
        args.addAll(options);
        CliRunner.Result r = assertOneLineError(2, CliRunner.run(args.toArray(String[]::new)));
        assertFalse(Files.exists(out), "no output file");
        assertEquals("", r.out());
        return r.err();
    }

    private static Path firstSampleImage() throws IOException {
        try (Stream<Path> files = Files.list(images.resolve("Bag"))) {
            return files.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
        }
    }

    /** A 40x30 gradient, so that JPEG has something to encode. */
    private static BufferedImage image(int type) {
        BufferedImage img = new BufferedImage(40, 30, type);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, (0xC0 << 24) | (x * 6 << 16) | (y * 8 << 8) | ((x + y) * 3));
            }
        }
        return img;
    }

    private static void write(BufferedImage img, String format, Path file) throws IOException {
        assertTrue(ImageIO.write(img, format, file.toFile()), "no ImageIO writer for " + format);
    }
}
