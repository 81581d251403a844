package dev.mlpack.optimizer.data;

import static dev.mlpack.optimizer.data.Errors.badInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.data.Dataset.Sample;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset images become model inputs; unreadable files are named, odd colour types converted. */
class ImageLoaderTest {
    @TempDir Path tmp;

    /** 4x4 output, raw 0..255 pixels, so that expected values are the colours themselves. */
    private static final ImagePipeline RAW_4X4 = new ImagePipeline(4, 4, Resize.BILINEAR, Preprocess.RAW);

    private static float[] filled(float r, float g, float b) {
        float[] out = new float[4 * 4 * 3];
        for (int i = 0; i < out.length; i += 3) {
            out[i] = r;
            out[i + 1] = g;
            out[i + 2] = b;
        }
        return out;
    }

    @Test
    void loadsAnImageThroughThePipeline() {
        Path png = TestImages.rgb(tmp.resolve("a.png"), 0x102030);

        assertArrayEquals(filled(16, 32, 48), new ImageLoader(RAW_4X4).load(Sample.unlabeled(png)));
        float[] tf = new ImageLoader(new ImagePipeline(4, 4, Resize.BILINEAR, Preprocess.TF)).load(png);
        assertEquals(16 / 127.5f - 1f, tf[0]);
    }

    @Test
    void grayscaleAndRgbaPngsAreConvertedToRgb() {
        Path gray = TestImages.gray(tmp.resolve("gray.png"), 77);
        Path rgba = TestImages.rgba(tmp.resolve("rgba.png"), 0x80AABBCC);
        ImageLoader loader = new ImageLoader(RAW_4X4);

        assertArrayEquals(filled(77, 77, 77), loader.load(gray));
        assertArrayEquals(filled(0xAA, 0xBB, 0xCC), loader.load(rgba), "alpha dropped, not composited");
    }

    @Test
    void aFileThatIsNotAnImageIsNamed() {
        Path fake = TestImages.text(tmp.resolve("cat.jpg"), "this is not a JPEG");

        String message = badInput(() -> new ImageLoader(RAW_4X4).load(fake));

        assertTrue(message.startsWith(fake + " is not a readable image (unrecognised image format"), message);
        assertTrue(message.endsWith("): remove it or replace it"), message);
    }

    @Test
    void aTruncatedJpegIsNamed() {
        Path cut = TestImages.truncatedJpeg(tmp.resolve("cat.jpg"));

        String message = badInput(() -> new ImageLoader(RAW_4X4).load(cut));

        assertTrue(message.startsWith(cut + " is not a readable image (corrupt or truncated JPEG"), message);
    }

    private List<Sample> mixedBatch(int n) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path file = i % 5 == 3
                    ? TestImages.truncatedJpeg(tmp.resolve(i + ".jpg"))
                    : TestImages.rgb(tmp.resolve(i + ".png"), i * 0x010101);
            samples.add(Sample.unlabeled(file));
        }
        return samples;
    }

    @Test
    void batchesFailOnTheFirstBadImageInListOrder() {
        List<Sample> samples = mixedBatch(12);

        String message = badInput(() -> new ImageLoader(RAW_4X4, new ImageDecoder(), 3).loadAll(samples, Progress.none()));

        assertTrue(message.startsWith(tmp.resolve("3.jpg") + " is not a readable image"), message);
    }

    @Test
    void skipBadCollectsBadImagesAndKeepsOrderOnAnyNumberOfThreads() {
        List<Sample> samples = mixedBatch(12);
        List<long[]> reported = new ArrayList<>();
        Progress recording = (name, total, unit) -> new Task() {
            @Override
            public void step(long n) {
                reported.getLast()[1] += n;
            }

            @Override
            public void close() {
                reported.getLast()[2] = 1;
            }

            {
                reported.add(new long[] {total, 0, 0});
            }
        };

        ImageLoader.Batch parallel = new ImageLoader(RAW_4X4, new ImageDecoder(), 3).loadAll(samples, true, recording);
        ImageLoader.Batch serial = new ImageLoader(RAW_4X4, new ImageDecoder(), 1).loadAll(samples, true, Progress.none());

        assertEquals(List.of(tmp.resolve("3.jpg"), tmp.resolve("8.jpg")),
                parallel.skipped().stream().map(s -> s.sample().file()).toList());
        assertTrue(parallel.skipped().getFirst().reason().startsWith("corrupt or truncated JPEG"), parallel.skipped().getFirst().reason());
        assertEquals(10, parallel.inputs().size());
        assertEquals(serial.samples(), parallel.samples());
        for (int i = 0; i < parallel.inputs().size(); i++) {
            assertArrayEquals(serial.inputs().get(i), parallel.inputs().get(i));
        }
        int k = Integer.parseInt(parallel.samples().get(4).file().getFileName().toString().replace(".png", ""));
        assertEquals(k, parallel.inputs().get(4)[0], "input i belongs to sample i");
        assertArrayEquals(new long[] {12, 12, 1}, reported.getFirst(), "total, steps, closed");
    }
}
