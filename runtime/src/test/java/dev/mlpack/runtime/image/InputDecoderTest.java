package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast paths give {@link ImageDecoder}'s pixels (streamed PNG rows exactly; libjpeg-turbo exactly when it does not
 * scale), refuse what {@link ImageDecoder} refuses, and announce their memory before they hold it.
 */
class InputDecoderTest {
    static final ImageDecoder IMAGE_IO = new ImageDecoder();

    /** Every PNG colour type and bit depth ImageIO writes, with noise, so that all five row filters occur. */
    static Map<String, byte[]> pngs() throws Exception {
        int w = 37;
        int h = 23;
        Random random = new Random(3);
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        out.put("rgb8", ImageDecoderTest.encode(ImageDecoderTest.noise(w, h), "png"));
        BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage gray16 = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage rgba = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        BufferedImage binary = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                gray.getRaster().setSample(x, y, 0, random.nextInt(256));
                gray16.getRaster().setSample(x, y, 0, random.nextInt(65536));
                rgba.setRGB(x, y, random.nextInt());
                binary.getRaster().setSample(x, y, 0, random.nextInt(2));
            }
        }
        out.put("gray8", ImageDecoderTest.encode(gray, "png"));
        out.put("gray16", ImageDecoderTest.encode(gray16, "png"));
        out.put("rgba8", ImageDecoderTest.encode(rgba, "png"));
        out.put("gray1", ImageDecoderTest.encode(binary, "png"));
        for (int bits : new int[] {2, 4, 8}) {
            int size = 1 << bits;
            byte[] r = new byte[size];
            byte[] g = new byte[size];
            byte[] b = new byte[size];
            random.nextBytes(r);
            random.nextBytes(g);
            random.nextBytes(b);
            BufferedImage p = new BufferedImage(w, h, bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY,
                    new IndexColorModel(bits, size, r, g, b));
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) p.getRaster().setSample(x, y, 0, random.nextInt(size));
            }
            out.put("palette" + bits, ImageDecoderTest.encode(p, "png"));
        }
        for (boolean alpha : new boolean[] {false, true}) {
            ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
                    alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
            WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < raster.getNumBands(); c++) raster.setSample(x, y, c, random.nextInt(65536));
                }
            }
            out.put(alpha ? "rgba16" : "rgb16", ImageDecoderTest.encode(new BufferedImage(cm, raster, false, null), "png"));
        }
        return out;
    }

    @Test
    void streamedPngRowsAreImageIosPixelsForEveryColourTypeAndDepth() throws Exception {
        for (Map.Entry<String, byte[]> e : pngs().entrySet()) {
            byte[] png = e.getValue();
            RgbImage expected = IMAGE_IO.decode(png, e.getKey());
            try (PngRows rows = PngRows.open(png, 0, png.length, e.getKey())) {
                assertNotNull(rows, e.getKey());
                byte[] all = new byte[3 * rows.width() * rows.height()];
                for (int y = 0; y < rows.height(); y++) {
                    System.arraycopy(rows.row(y), rows.offset(y), all, 3 * rows.width() * y, 3 * rows.width());
                }
                assertArrayEquals(expected.rgb(), all, e.getKey());
            }
        }
    }

    @Test
    void everyResizeOfAStreamedPngEqualsTheResizeOfTheDecodedImage() throws Exception {
        byte[] png = pngs().get("rgb8");
        RgbImage decoded = IMAGE_IO.decode(png, "rgb8");
        for (Resize resize : Resize.values()) {
            for (int[] size : new int[][] {{11, 13}, {23, 37}, {50, 80}}) {
                InputDecoder d = new InputDecoder(new ImagePipeline(size[0], size[1], resize, Preprocess.RAW), 1 << 20);
                assertArrayEquals(resize.apply(decoded, size[0], size[1]), d.resized(png, 0, png.length, "x", InputDecoder.MemoryGate.NONE),
                        resize + " " + Arrays.toString(size));
            }
        }
    }

    @Test
    void aPngCutShortOrCorruptAnywhereIsRefusedEvenWhereTheResizeSkipsRows() throws Exception {
        byte[] png = ImageDecoderTest.encode(ImageDecoderTest.noise(200, 200), "png");
        // A 4-row output reads 8 of the 200 rows; the data missing at the end must still be noticed.
        InputDecoder d = new InputDecoder(new ImagePipeline(4, 4, Resize.BILINEAR, Preprocess.RAW), 1 << 20);
        byte[] cut = Arrays.copyOf(png, png.length * 9 / 10);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> d.resized(cut, 0, cut.length, "cut.png", InputDecoder.MemoryGate.NONE));
        assertTrue(e.getMessage().startsWith("cut.png: corrupt or truncated PNG data"), e.getMessage());
        assertThrows(ImageDecodeException.class, () -> IMAGE_IO.decode(cut, "cut.png"), "ImageIO refuses it too");
        byte[] garbled = png.clone();
        for (int i = png.length / 2; i < png.length / 2 + 64; i++) garbled[i] ^= 0x5A;
        assertThrows(ImageDecodeException.class, () -> d.resized(garbled, 0, garbled.length, "bad.png", InputDecoder.MemoryGate.NONE));
    }

    @Test
    void libjpegTurboGivesImageIosBytesForColourAndGrayJpegs() throws Exception {
        TurboJpeg turbo = TurboJpeg.get().orElseThrow(() -> new AssertionError("libjpeg-turbo must load on linux-x86_64"));
        BufferedImage gray = new BufferedImage(33, 20, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(5);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 33; x++) gray.getRaster().setSample(x, y, 0, random.nextInt(256));
        }
        // ImageIO's default writer: quality 0.75 and 4:2:0 chroma, so that fancy upsampling is exercised.
        for (byte[] jpeg : List.of(ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(61, 47)), "jpeg"), ImageDecoderTest.encode(gray, "jpeg"))) {
            DecodedRows fast = turbo.decode(jpeg, 0, jpeg.length, 1);
            assertNotNull(fast);
            assertArrayEquals(IMAGE_IO.decode(jpeg, "x.jpg").rgb(), fast.toRgbImage().rgb());
        }
    }

    @Test
    void libjpegTurboScalesInTheDctDomainAndDeclinesBrokenFiles() throws Exception {
        TurboJpeg turbo = TurboJpeg.get().orElseThrow();
        byte[] jpeg = ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(101, 67)), "jpeg");
        DecodedRows eighth = turbo.decode(jpeg, 0, jpeg.length, 8);
        assertEquals(13, eighth.width()); // ceil(101 / 8)
        assertEquals(9, eighth.height());
        assertNull(turbo.decode(jpeg, 0, jpeg.length / 2, 1), "truncated: ImageIO decides and explains");
        assertNull(turbo.decode(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}, 0, 5, 1));
    }

    @Test
    void aJpegIsShrunkByTheLargestFactorThatKeepsItAtLeastAsLargeAsTheResizeNeeds() {
        InputDecoder crop = new InputDecoder(new ImagePipeline(224, 224, Resize.CROP, Preprocess.RAW), 1 << 26);
        assertEquals(1, crop.reduction(500, 375), "ImageNet size: the shorter side must reach 256");
        assertEquals(8, crop.reduction(4032, 3024)); // 504 x 378
        assertEquals(4, crop.reduction(2048, 1536)); // 512 x 384
        assertEquals(2, crop.reduction(1024, 512)); // 512 x 256
        InputDecoder bilinear = new InputDecoder(new ImagePipeline(256, 256, Resize.BILINEAR, Preprocess.RAW), 1 << 26);
        assertEquals(8, bilinear.reduction(2048, 2048));
        assertEquals(2, bilinear.reduction(2047, 511)); // 1024 x 256
        assertEquals(1, bilinear.reduction(2047, 509)); // half would be 255 rows
    }

    @Test
    void anUnscaledJpegGivesTheResizeOfImageIosPixelsAndAScaledOneStaysClose() throws Exception {
        byte[] small = ImageDecoderTest.encode(rgb(smooth(300, 200)), "jpeg");
        InputDecoder d = new InputDecoder(new ImagePipeline(224, 224, Resize.CROP, Preprocess.RAW), 1 << 26);
        assertArrayEquals(Resize.CROP.apply(IMAGE_IO.decode(small, "s"), 224, 224), d.resized(small, 0, small.length, "s", InputDecoder.MemoryGate.NONE));

        byte[] big = ImageDecoderTest.encode(rgb(smooth(2400, 1600)), "jpeg");
        float[] scaled = d.resized(big, 0, big.length, "b", InputDecoder.MemoryGate.NONE);
        float[] full = Resize.CROP.apply(IMAGE_IO.decode(big, "b"), 224, 224);
        double meanAbs = 0;
        for (int i = 0; i < full.length; i++) meanAbs += Math.abs(full[i] - scaled[i]);
        meanAbs /= full.length;
        assertTrue(meanAbs < 2, "mean |difference| " + meanAbs + " levels on a smooth photo-like image");
    }

    @Test
    void theHeaderDecidesBeforeAnyPixelIsDecoded() throws Exception {
        byte[] jpeg = ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(64, 64)), "jpeg");
        InputDecoder tiny = new InputDecoder(new ImagePipeline(8, 8, Resize.BILINEAR, Preprocess.RAW), 64 * 63);
        List<Long> asked = new ArrayList<>();
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> tiny.resized(jpeg, 0, jpeg.length, "big.jpg", asked::add));
        assertEquals("big.jpg: 64x64 image has 4096 pixels, more than the limit of 4032", e.getMessage());
        assertEquals(List.of(), asked, "no memory asked for a refused image");
    }

    @Test
    void theMemoryAskedForFollowsThePath() throws Exception {
        InputDecoder d = new InputDecoder(new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.RAW), 1 << 26);
        long output = 4L * 3 * 32 * 32;
        byte[] png = ImageDecoderTest.encode(ImageDecoderTest.noise(1000, 1000), "png");
        List<Long> asked = new ArrayList<>();
        d.resized(png, 0, png.length, "p", asked::add);
        assertEquals(1, asked.size());
        assertTrue(asked.getFirst() < 200_000, "streamed PNG: a few rows, not 3 MB of pixels: " + asked);

        byte[] gif = ImageDecoderTest.encode(ImageDecoderTest.noise(300, 200), "gif");
        asked.clear();
        d.resized(gif, 0, gif.length, "g", asked::add);
        assertEquals(List.of(gif.length + 300L * 200 * 4 + output), asked, "ImageIO: the file, an index raster and the RGB copy");

        byte[] jpeg = ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(1024, 1024)), "jpeg");
        asked.clear();
        d.resized(jpeg, 0, jpeg.length, "j", asked::add);
        assertEquals(1, asked.size());
        assertTrue(asked.getFirst() < jpeg.length + 1024L * 64 * 3 + 128L * 128 * 8 + output + 1, "scaled by 8: " + asked);
    }

    @Test
    void aGrayscaleInputGetsTheLumaOfEveryPathAsThePipelineComputesIt() throws Exception {
        ImagePipeline gray = new ImagePipeline(20, 30, Resize.BILINEAR, Preprocess.RAW, 1);
        InputDecoder d = new InputDecoder(gray, 1 << 20);
        // The JPEG too small to be DCT-scaled for this size (half would be 25 x 18): its pixels are exact.
        for (byte[] file : List.of(pngs().get("rgb8"), ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(50, 35)), "jpeg"),
                ImageDecoderTest.encode(ImageDecoderTest.noise(40, 30), "gif"))) {
            float[] expected = gray.resized(IMAGE_IO.decode(file, "x"));
            assertEquals(20 * 30, expected.length);
            assertArrayEquals(expected, d.resized(file, 0, file.length, "x", InputDecoder.MemoryGate.NONE));
            assertArrayEquals(ImagePipeline.roundToUint8(expected), d.pixels(file, 0, file.length, "x", InputDecoder.MemoryGate.NONE));
        }
    }

    @Test
    void withoutLibjpegTurboJpegsGoThroughImageIo() throws Exception {
        byte[] jpeg = ImageDecoderTest.encode(rgb(ImageDecoderTest.noise(80, 60)), "jpeg");
        InputDecoder d = new InputDecoder(new ImagePipeline(80, 60, Resize.BILINEAR, Preprocess.RAW), 1 << 26).withoutLibjpegTurbo();
        assertArrayEquals(Resize.BILINEAR.apply(IMAGE_IO.decode(jpeg, "j"), 80, 60), d.resized(jpeg, 0, jpeg.length, "j", InputDecoder.MemoryGate.NONE));
    }

    /** ImageIO writes TYPE_INT_RGB noise as a 3-component JPEG only from a 3-byte raster. */
    static BufferedImage rgb(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        out.getGraphics().drawImage(src, 0, 0, null);
        return out;
    }

    /** A smooth gradient with a few soft shapes: photo-like content whose downscaling is well defined. */
    static BufferedImage smooth(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = (double) x / w;
                double v = (double) y / h;
                int r = (int) (127 + 120 * Math.sin(6 * u + 2 * v));
                int g = (int) (127 + 120 * Math.cos(4 * v - 3 * u));
                int b = (int) (255 * u * v);
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }
}
