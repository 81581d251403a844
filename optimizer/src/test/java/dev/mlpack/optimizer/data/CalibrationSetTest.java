package dev.mlpack.optimizer.data;

import static dev.mlpack.optimizer.data.Errors.badInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.data.Dataset.Sample;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --calibration DIR --calibration-samples N}: N representative model inputs. */
class CalibrationSetTest {
    @TempDir Path tmp;

    private static final ImagePipeline FASHION = new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.TF);

    private static Path sampleImages() {
        return Path.of(System.getProperty("mlpack.repo", "..")).toAbsolutePath().normalize().resolve("samples/images");
    }

    @Test
    void stratifiedInputsFromTheBundledSample() {
        CalibrationSet set = CalibrationSet.load(sampleImages(), 20, FASHION, Progress.none());

        assertEquals(20, set.size());
        assertEquals(32 * 32 * 3, set.input(0).length);
        assertEquals(32 * 32 * 3, set.inputLength());
        List<Sample> used = set.dataset().samples();
        assertEquals(10, used.stream().map(Sample::label).distinct().count(), "every class, twice");
        for (int i = 0; i < set.size(); i++) {
            float[] in = set.input(i);
            for (float v : in) {
                assertTrue(v >= -1f && v <= 1f, "tf preprocessing: -1..1");
            }
        }
        assertNotSame(set.input(0), set.input(0), "inputs are copies");
    }

    /** Calibration takes the prepared inputs, so an image is decoded and resized once however many passes run on it. */
    @Test
    void eachChosenImageIsDecodedOnceAndNoOtherIs() {
        Path dir = tmp.resolve("jpegs");
        for (int i = 0; i < 6; i++) TestImages.rgb(dir.resolve("img" + i + ".jpg"), 0x102030 * (i + 1));
        ConcurrentHashMap<Integer, Integer> decodes = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        ImageDecoder counting = new ImageDecoder().withJpegBackend((jpeg, w, h) -> {
            calls.incrementAndGet();
            decodes.merge(Arrays.hashCode(jpeg), 1, Integer::sum);
            return null; // ImageIO decodes it
        });

        CalibrationSet set = CalibrationSet.load(Dataset.open(dir, null), 4, new ImageLoader(FASHION, counting, 2), Progress.none());

        assertEquals(4, set.size());
        assertEquals(4, calls.get(), "the 4 chosen of 6 images, nothing else");
        assertTrue(decodes.values().stream().allMatch(n -> n == 1), "each once: " + decodes);
    }

    @Test
    void fewerImagesThanSamplesUsesThemAll() {
        Path dir = tmp.resolve("cal");
        TestImages.gray(dir.resolve("a.png"), 0);
        TestImages.rgb(dir.resolve("b.jpg"), 0xFFFFFF);

        CalibrationSet set = CalibrationSet.load(dir, CalibrationSet.DEFAULT_SAMPLES, FASHION, Progress.none());

        assertEquals(2, set.size());
        assertEquals(-1f, set.input(0)[0]);
    }

    @Test
    void errorsNameTheOption() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path bad = tmp.resolve("bad");
        TestImages.truncatedJpeg(bad.resolve("cat.jpg"));

        assertTrue(badInput(() -> CalibrationSet.load(empty, 0, FASHION, Progress.none()))
                .startsWith("--calibration-samples must be at least 1"));
        assertTrue(badInput(() -> CalibrationSet.load(empty, 10, FASHION, Progress.none()))
                .contains("point --calibration at a folder of images"));
        assertTrue(badInput(() -> CalibrationSet.load(tmp.resolve("missing"), 10, FASHION, Progress.none()))
                .contains("check the path given to --calibration"));
        assertTrue(badInput(() -> CalibrationSet.load(bad, 10, FASHION, Progress.none()))
                .contains("cat.jpg is not a readable image (corrupt or truncated JPEG"));
    }

    @Test
    void syntheticInputs() {
        CalibrationSet set = CalibrationSet.of(List.of(new float[] {1, 2}, new float[] {3, 4}));

        assertEquals(2, set.size());
        assertEquals(3f, set.input(1)[0]);
    }
}
