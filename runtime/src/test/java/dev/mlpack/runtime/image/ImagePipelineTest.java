package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.Quantization;
import dev.mlpack.runtime.tflite.TensorInfo;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ImagePipelineTest {

    /** A w x h image with r = x, g = y, b = (x + y) / 2 (mod 256). */
    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) x;
                rgb[i + 1] = (byte) y;
                rgb[i + 2] = (byte) ((x + y) / 2);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void floatsAreTheResizedImageNormalised() {
        RgbImage img = gradient(50, 40);
        ImagePipeline p = new ImagePipeline(24, 32, Resize.BILINEAR, Preprocess.TF);
        float[] expected = Preprocess.TF.apply(Resize.BILINEAR.apply(img, 24, 32));
        assertArrayEquals(expected, p.toFloats(img));
        assertArrayEquals(new int[] {1, 24, 32, 3}, p.inputShape());
    }

    @Test
    void uint8IsTheResizedImageRoundedWithoutNormalisation() {
        RgbImage img = new RgbImage(2, 1, new byte[] {0, 0, 0, 101, (byte) 255, 1});
        ImagePipeline p = new ImagePipeline(1, 4, Resize.BILINEAR, Preprocess.CAFFE);
        // red 0, 25.25, 75.75, 101 -> 0, 25, 76, 101
        byte[] out = p.toUint8(img);
        assertArrayEquals(new byte[] {0, 25, 76, 101}, new byte[] {out[0], out[3], out[6], out[9]});
        assertEquals((byte) 255, out[10]);
    }

    @Test
    void sizeComesFromAnNhwcInputTensor() {
        TensorInfo input = new TensorInfo(0, "image", DataType.FLOAT32, new int[] {1, 224, 160, 3}, Quantization.NONE);
        assertEquals(new ImagePipeline(224, 160, Resize.CROP, Preprocess.TORCH),
                ImagePipeline.forInput(input, Resize.CROP, Preprocess.TORCH));
        TensorInfo nchw = new TensorInfo(0, "image", DataType.FLOAT32, new int[] {1, 3, 224, 224}, Quantization.NONE);
        assertThrows(IllegalArgumentException.class, () -> ImagePipeline.forInput(nchw, Resize.CROP, Preprocess.TORCH));
        assertThrows(IllegalArgumentException.class, () -> new ImagePipeline(0, 1, Resize.CROP, Preprocess.TF));
    }

    @Test
    void decodedImageRunsThroughAUint8Model() throws Exception {
        // PNG -> RgbImage -> 4x4 uint8 pixels -> the tiny uint8 model (input scale 1/255).
        BufferedImage bi = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                bi.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 128);
            }
        }
        RgbImage img = new ImageDecoder().decode(ImageDecoderTest.encode(bi, "png"), "gradient.png");
        byte[] model;
        try (InputStream in = getClass().getResourceAsStream("/models/tiny_uint8.tflite")) {
            model = in.readAllBytes();
        }
        try (TfliteModel m = TfliteModel.fromBytes(model); TfliteInterpreter it = m.newInterpreter()) {
            ImagePipeline p = ImagePipeline.forInput(it.input(0), Resize.NEAREST, Preprocess.RAW);
            byte[] pixels = p.toUint8(img);
            // nearest 8 -> 4 picks source pixels 1, 3, 5, 7
            assertEquals((byte) 32, pixels[0]);
            assertEquals((byte) 96, pixels[3]);
            it.setInput(0, pixels);
            it.invoke();
            float[] floatOut;
            try (TfliteModel f = TfliteModel.fromBytes(floatModel()); TfliteInterpreter fit = f.newInterpreter()) {
                float[] x = p.toFloats(img);
                for (int i = 0; i < x.length; i++) {
                    x[i] /= 255f;
                }
                floatOut = fit.run(x)[0];
            }
            assertArrayEquals(floatOut, it.outputFloats(0), 3 * it.output(0).quantization().scale());
        }
    }

    private byte[] floatModel() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/models/tiny_float.tflite")) {
            return in.readAllBytes();
        }
    }
}
