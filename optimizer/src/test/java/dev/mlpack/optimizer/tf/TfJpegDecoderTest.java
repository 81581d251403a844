package dev.mlpack.optimizer.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mlpack.runtime.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** TensorFlow's JPEG decoder gives exactly ImageIO's (and PIL's) pixels, so using it changes speed, not results. */
class TfJpegDecoderTest {

    @Test
    void sameBytesAsImageIoForColourAndGrayJpegsWithChromaSubsampling() throws IOException {
        try (TfJpegDecoder tf = new TfJpegDecoder()) {
            for (BufferedImage image : new BufferedImage[] {noise(61, 47, BufferedImage.TYPE_3BYTE_BGR), noise(33, 20, BufferedImage.TYPE_BYTE_GRAY)}) {
                byte[] jpeg = jpeg(image);
                byte[] expected = new ImageDecoder().decode(jpeg, "expected.jpg").rgb();
                byte[] actual = tf.decodeRgb(jpeg, image.getWidth(), image.getHeight());
                assertNotNull(actual);
                assertArrayEquals(expected, actual);
            }
        }
    }

    @Test
    void truncatedDataIsDeclinedSoThatImageIoCanExplain() throws IOException {
        byte[] jpeg = jpeg(noise(40, 40, BufferedImage.TYPE_3BYTE_BGR));
        try (TfJpegDecoder tf = new TfJpegDecoder()) {
            assertNull(tf.decodeRgb(Arrays.copyOf(jpeg, jpeg.length / 2), 40, 40));
            assertNull(tf.decodeRgb(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}, 40, 40));
        }
    }

    private static BufferedImage noise(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random random = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) image.setRGB(x, y, random.nextInt(0x1000000));
        }
        return image;
    }

    /** ImageIO's default JPEG: quality 0.75, 4:2:0 chroma subsampling for colour, so upsampling is exercised. */
    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }
}
