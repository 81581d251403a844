package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder();

    // ------------------------------------------------------------------ colour types

    @Test
    void rgbPngDecodesToItsExactPixels() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(2, 1, 0x123456);
        RgbImage rgb = decoder.decode(encode(img, "png"), "rgb.png");
        assertEquals(3, rgb.width());
        assertEquals(2, rgb.height());
        assertEquals(0xFF0000, rgb.rgbAt(0, 0));
        assertEquals(0x00FF00, rgb.rgbAt(1, 0));
        assertEquals(0x123456, rgb.rgbAt(2, 1));
        assertEquals(0x000000, rgb.rgbAt(0, 1));
        assertArrayEquals(new byte[] {(byte) 255, 0, 0}, Arrays.copyOf(rgb.rgb(), 3));
    }

    @Test
    void rgbJpegDecodesCloseToItsPixels() throws Exception {
        BufferedImage img = solid(16, 16, BufferedImage.TYPE_3BYTE_BGR, 0x3C78B4);
        RgbImage rgb = decoder.decode(jpeg(img), "rgb.jpg");
        assertRgbNear(0x3C78B4, rgb.rgbAt(5, 5), 2);
    }

    @Test
    void anEmbeddedIccProfileDoesNotChangeThePixelValues() throws Exception {
        // Camera and Photoshop JPEGs often carry an ICC profile. PIL and TensorFlow ignore it, so training saw the
        // file's own values; the JDK's reader would convert them from the profile to sRGB unless told not to.
        BufferedImage img = solid(16, 16, BufferedImage.TYPE_3BYTE_BGR, 0x3C78B4);
        byte[] plain = jpeg(img);
        byte[] withProfile = withIccProfile(plain, linearRgbProfileAsTheColourEngineWritesIt());
        assertArrayEquals(decoder.decode(plain, "plain.jpg").rgb(), decoder.decode(withProfile, "linear-rgb-profile.jpg").rgb());
    }

    /**
     * The JDK's linear-RGB profile, after one load by the colour engine: that load rewrites a few header bytes, and a
     * camera's profile has long been through such a rewrite.
     */
    private static byte[] linearRgbProfileAsTheColourEngineWritesIt() {
        ICC_Profile profile = ICC_Profile.getInstance(ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        new ICC_ColorSpace(profile).fromRGB(new float[] {1f, 0f, 0f});
        return profile.getData();
    }

    /** The JFIF file with an APP2 ICC_PROFILE segment (one chunk) inserted after its APP0 segment, as cameras write it. */
    private static byte[] withIccProfile(byte[] jfif, byte[] profile) {
        assertEquals(0xE0, jfif[3] & 0xFF, "SOI then APP0");
        int at = 4 + (((jfif[4] & 0xFF) << 8) | (jfif[5] & 0xFF));
        byte[] tag = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int length = 2 + tag.length + 2 + profile.length;
        assertTrue(length <= 0xFFFF, "profile fits one segment");
        ByteBuffer out = ByteBuffer.allocate(jfif.length + 2 + length);
        out.put(jfif, 0, at).put((byte) 0xFF).put((byte) 0xE2).putShort((short) length).put(tag)
                .put((byte) 1).put((byte) 1).put(profile).put(jfif, at, jfif.length - at);
        return out.array();
    }

    @Test
    void grayscaleIsCopiedIntoAllThreeChannelsWithoutGammaChange() throws Exception {
        // Java2D's getRGB would turn gray 100 into about 167 (it treats 8-bit gray as linear).
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 2, 0, 100);
        RgbImage png = decoder.decode(encode(img, "png"), "gray.png");
        assertEquals(0x646464, png.rgbAt(1, 2));
        assertEquals(0, png.rgbAt(0, 0));

        RgbImage jpg = decoder.decode(jpeg(solidGray(16, 100)), "gray.jpg");
        assertRgbNear(0x646464, jpg.rgbAt(8, 8), 1);
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 0xABCD);
        img.getRaster().setSample(1, 1, 0, 0xFFFF);
        RgbImage rgb = decoder.decode(encode(img, "png"), "gray16.png");
        assertEquals(0xABABAB, rgb.rgbAt(0, 0));
        assertEquals(0xFFFFFF, rgb.rgbAt(1, 1));
    }

    @Test
    void sixteenBitRgbKeepsTheHighByte() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(1, 0, new int[] {0x1234, 0x5678, 0x9ABC});
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        RgbImage rgb = decoder.decode(encode(img, "png"), "rgb16.png");
        assertEquals(0x12569A, rgb.rgbAt(1, 0));
    }

    @Test
    void alphaIsDroppedNotComposited() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x000A141E); // fully transparent, colour (10, 20, 30)
        img.setRGB(1, 0, 0x80FF8000); // half transparent orange
        RgbImage rgb = decoder.decode(encode(img, "png"), "rgba.png");
        assertEquals(0x0A141E, rgb.rgbAt(0, 0));
        assertEquals(0xFF8000, rgb.rgbAt(1, 0));
    }

    @Test
    void paletteImagesUseThePaletteColours() throws Exception {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        r[1] = (byte) 200; g[1] = 100; b[1] = 50;
        r[2] = 10; g[2] = 20; b[2] = 30;
        r[3] = 1; g[3] = 2; b[3] = 3;
        // Index 3 is the transparent entry: its colour is kept, like PIL's convert("RGB").
        IndexColorModel palette = new IndexColorModel(8, 256, r, g, b, 3);
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        img.getRaster().setSample(0, 0, 0, 1);
        img.getRaster().setSample(1, 0, 0, 2);
        img.getRaster().setSample(2, 0, 0, 3);
        for (String format : new String[] {"gif", "png", "bmp"}) {
            RgbImage rgb = decoder.decode(encode(img, format), "palette." + format);
            assertEquals(0xC86432, rgb.rgbAt(0, 0), format);
            assertEquals(0x0A141E, rgb.rgbAt(1, 0), format);
            assertEquals(0x010203, rgb.rgbAt(2, 0), format);
        }
    }

    @Test
    void bmpOfEveryDepthDecodes() throws Exception {
        BufferedImage rgb24 = new BufferedImage(2, 2, BufferedImage.TYPE_3BYTE_BGR);
        rgb24.setRGB(1, 0, 0x102030);
        assertEquals(0x102030, decoder.decode(encode(rgb24, "bmp"), "24.bmp").rgbAt(1, 0));

        // 5-6-5 channels are scaled to 0..255 with rounding: 16/31 -> 132, 32/63 -> 130, 8/31 -> 66.
        BufferedImage rgb565 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_565_RGB);
        rgb565.getRaster().setPixel(0, 0, new int[] {31, 63, 31});
        rgb565.getRaster().setPixel(1, 0, new int[] {16, 32, 8});
        RgbImage decoded = decoder.decode(encode(rgb565, "bmp"), "565.bmp");
        assertEquals(0xFFFFFF, decoded.rgbAt(0, 0));
        assertEquals(132 << 16 | 130 << 8 | 66, decoded.rgbAt(1, 0));

        BufferedImage binary = new BufferedImage(9, 1, BufferedImage.TYPE_BYTE_BINARY);
        binary.setRGB(8, 0, 0xFFFFFF);
        RgbImage bw = decoder.decode(encode(binary, "bmp"), "1bit.bmp");
        assertEquals(0x000000, bw.rgbAt(0, 0));
        assertEquals(0xFFFFFF, bw.rgbAt(8, 0));
    }

    @Test
    void cmykAndYcckJpegsAreConvertedToRgb() throws Exception {
        // Fixtures from make_cmyk_jpegs.py: quadrants of cyan, magenta, yellow+50% black, no ink.
        for (String name : new String[] {"cmyk_adobe.jpg", "ycck_adobe.jpg"}) {
            RgbImage rgb = decoder.decode(resource(name), name);
            assertRgbNear(0x00FFFF, rgb.rgbAt(3, 3), 2);
            assertRgbNear(0xFF00FF, rgb.rgbAt(12, 3), 2);
            assertRgbNear(0x7F7F00, rgb.rgbAt(3, 12), 2);
            assertRgbNear(0xFFFFFF, rgb.rgbAt(12, 12), 2);
        }
    }

    @Test
    void cmykJpegWithoutAdobeMarkerIsStillReadAsInverted() throws Exception {
        // The JDK writes a 4-channel raster as is, without an Adobe marker. Like PIL, the reader
        // assumes Photoshop's inverted storage anyway (255 = no ink).
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, x < 8 ? new int[] {0, 255, 255, 255} : new int[] {255, 255, 255, 127});
            }
        }
        RgbImage rgb = decoder.decode(jpeg(raster), "plain_cmyk.jpg");
        assertRgbNear(0x00FFFF, rgb.rgbAt(3, 3), 2);
        assertRgbNear(0x7F7F7F, rgb.rgbAt(12, 3), 2);
    }

    // ------------------------------------------------------------------ failures

    @Test
    void truncatedJpegIsRejectedWithTheFileNameInOneLine() throws Exception {
        byte[] full = jpeg(noise(64, 64));
        for (int length : new int[] {full.length * 6 / 10, full.length - 2, 400, 20}) {
            byte[] cut = Arrays.copyOf(full, length);
            ImageDecodeException e = assertThrows(ImageDecodeException.class,
                    () -> decoder.decode(cut, "photo.jpg"), "cut at " + length);
            assertTrue(e.getMessage().startsWith("photo.jpg: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEquals("photo.jpg", e.source());
        }
    }

    @Test
    void truncatedPngGifAndBmpAreRejected() throws Exception {
        for (String format : new String[] {"png", "gif", "bmp"}) {
            byte[] full = encode(format.equals("gif") ? toPalette(noise(64, 64)) : noise(64, 64), format);
            byte[] cut = Arrays.copyOf(full, full.length / 2);
            ImageDecodeException e = assertThrows(ImageDecodeException.class,
                    () -> decoder.decode(cut, "half." + format), format);
            assertTrue(e.getMessage().startsWith("half." + format + ": "), e.getMessage());
        }
    }

    @Test
    void unknownEmptyAndMissingFilesAreRejected(@TempDir Path dir) throws Exception {
        ImageDecodeException garbage = assertThrows(ImageDecodeException.class,
                () -> decoder.decode("this is not an image".getBytes(), "notes.txt"));
        assertEquals("notes.txt: unrecognised image format (expected JPEG, PNG, BMP or GIF)", garbage.getMessage());

        ImageDecodeException tiff = assertThrows(ImageDecodeException.class,
                () -> decoder.decode(encode(noise(4, 4), "tiff"), "scan.tiff"));
        assertTrue(tiff.getMessage().contains("unsupported image format TIF"), tiff.getMessage());

        assertThrows(ImageDecodeException.class, () -> decoder.decode(new byte[0], "empty.jpg"));

        Path missing = dir.resolve("missing.png");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void decodesFromFilesAndStreams(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xABCDEF);
        Path file = dir.resolve("a.png");
        Files.write(file, encode(img, "png"));
        assertEquals(0xABCDEF, decoder.decode(file).rgbAt(1, 1));
        try (InputStream in = Files.newInputStream(file)) {
            assertEquals(0xABCDEF, decoder.decode(in, "stream").rgbAt(1, 1));
        }
    }

    @Test
    void imagesAboveThePixelLimitAreRejected() throws Exception {
        byte[] png = encode(noise(11, 10), "png");
        assertEquals(110, new ImageDecoder(110).decode(png, "ok.png").width() * 10);
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> new ImageDecoder(109).decode(png, "big.png"));
        assertEquals("big.png: 11x10 image has 110 pixels, more than the limit of 109", e.getMessage());
    }

    @Test
    void everyFormatOverThePixelLimitIsATypedErrorFromTheHeaderProbe() throws Exception {
        for (String format : List.of("png", "gif", "bmp", "jpeg")) {
            BufferedImage img = format.equals("gif") ? new BufferedImage(11, 10, BufferedImage.TYPE_BYTE_INDEXED) : noise(11, 10);
            byte[] data = encode(img, format);
            ImageHeader header = ImageHeader.read(data, 0, data.length);
            assertEquals(ImageFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)), header.format(), format);
            assertEquals(110, header.pixels(), format);
            ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> new ImageDecoder(109).decode(data, "big." + format));
            assertTrue(e.getMessage().contains("more than the limit of 109"), e.getMessage());
        }
    }

    @Test
    void theContentDecidesTheFormatNotTheName() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 1, 0x123456);
        assertEquals(0x123456, decoder.decode(encode(img, "png"), "photo.jpg").rgbAt(0, 1));
    }

    @Test
    void aDecompressionBombIsRejectedFromItsHeaderAlone() throws Exception {
        // A valid 1x1 PNG whose header is rewritten to claim 100000 x 100000 pixels (40 GB as RGBA).
        byte[] png = encode(new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB), "png");
        ByteBuffer buf = ByteBuffer.wrap(png);
        buf.putInt(16, 100_000).putInt(20, 100_000); // IHDR width, height
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // chunk type + 13 data bytes
        buf.putInt(29, (int) crc.getValue());
        long t0 = System.nanoTime();
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(png, "bomb.png"));
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "must not decode the pixels");
    }

    // ------------------------------------------------------------------ helpers

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IllegalStateException("no " + format + " writer for " + img);
        }
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        return jpeg(new IIOImage(img, null, null));
    }

    static byte[] jpeg(Raster raster) throws IOException {
        return jpeg(new IIOImage(raster, null, null));
    }

    private static byte[] jpeg(IIOImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return img;
    }

    private static BufferedImage toPalette(BufferedImage src) {
        BufferedImage img = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
        img.getGraphics().drawImage(src, 0, 0, null);
        return img;
    }

    private static BufferedImage solid(int w, int h, int type, int rgb) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static BufferedImage solidGray(int size, int value) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return img;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource images/" + name);
            }
            return in.readAllBytes();
        }
    }

    private static void assertRgbNear(int expected, int actual, int tolerance) {
        for (int shift = 16; shift >= 0; shift -= 8) {
            int e = expected >> shift & 0xFF;
            int a = actual >> shift & 0xFF;
            assertTrue(Math.abs(e - a) <= tolerance, String.format("expected #%06X, got #%06X", expected, actual));
        }
    }
}
