package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Grayscale-input models are fed as Keras' color_mode="grayscale" feeds them: PIL's "L" conversion. */
class GrayImageTest {

    @Test
    void lumaIsPilsConvertL() {
        // Image.new("RGB", ...).putdata(px).convert("L") with Pillow 11: the expected values below are PIL's output.
        int[][] px = {{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {12, 200, 77}, {128, 128, 128},
                {1, 2, 3}, {254, 1, 128}, {100, 150, 200}};
        int[] pil = {0, 255, 76, 150, 29, 130, 128, 2, 91, 141};
        byte[] rgb = new byte[px.length * 3];
        for (int i = 0; i < px.length; i++) for (int c = 0; c < 3; c++) rgb[i * 3 + c] = (byte) px[i][c];
        GrayImage gray = GrayImage.luma(new RgbImage(px.length, 1, rgb));
        for (int i = 0; i < px.length; i++) assertEquals(pil[i], gray.sample(i, 0), "pixel " + i);
    }

    @Test
    void aGrayImageDecodedToRgbComesBackUnchanged() {
        byte[] rgb = new byte[256 * 3];
        for (int v = 0; v < 256; v++) rgb[v * 3] = rgb[v * 3 + 1] = rgb[v * 3 + 2] = (byte) v;
        byte[] luma = GrayImage.luma(new RgbImage(256, 1, rgb)).luma();
        for (int v = 0; v < 256; v++) assertEquals(v, luma[v] & 0xFF);
    }

    @Test
    void aGrayscalePipelineResizesTheLumaAsOneChannel() {
        RgbImage img = ImagePipelineTest.gradient(50, 40);
        ImagePipeline p = new ImagePipeline(28, 28, Resize.BILINEAR, Preprocess.TF, 1);
        float[] expected = Preprocess.TF.apply(Resize.BILINEAR.apply(GrayImage.luma(img), 28, 28), 1);
        assertArrayEquals(expected, p.toFloats(img));
        assertEquals(28 * 28, p.toUint8(img).length);
        assertArrayEquals(new int[] {1, 28, 28, 1}, p.inputShape());
        // resize of one channel: nearest picks the same source pixels as for RGB
        float[] rgbNearest = Resize.NEAREST.apply(img, 7, 9);
        float[] grayNearest = Resize.NEAREST.apply(GrayImage.luma(img), 7, 9);
        GrayImage lumaImage = GrayImage.luma(img);
        float[] fromRgbPixels = new float[7 * 9];
        for (int i = 0; i < fromRgbPixels.length; i++) {
            int r = (int) rgbNearest[i * 3], g = (int) rgbNearest[i * 3 + 1], b = (int) rgbNearest[i * 3 + 2];
            fromRgbPixels[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
        }
        assertArrayEquals(fromRgbPixels, grayNearest);
        assertEquals(50, lumaImage.width());
    }

    @Test
    void threeChannelModesAreRefusedOnGrayscale() {
        assertThrows(IllegalArgumentException.class, () -> new ImagePipeline(28, 28, Resize.BILINEAR, Preprocess.CAFFE, 1));
        assertThrows(IllegalArgumentException.class, () -> new ImagePipeline(28, 28, Resize.BILINEAR, Preprocess.TORCH, 1));
        assertThrows(IllegalArgumentException.class, () -> new ImagePipeline(28, 28, Resize.BILINEAR, Preprocess.RAW, 2));
        assertArrayEquals(new float[] {-1f, 1f}, Preprocess.TF.apply(new float[] {0f, 255f}, 1));
        assertArrayEquals(new float[] {0f, 255f}, Preprocess.RAW.apply(new float[] {0f, 255f}, 1));
    }
}
