package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@link PlainJpeg} decides which JPEGs go straight to libjpeg, whose fatal errors cannot be caught from Java: these
 * tests check that what it lets through decodes exactly as Leptonica's guarded reader decodes it, that it declines
 * what it does not check, and that no mutilation of a plain JPEG stops the process.
 */
class PlainJpegTest {

    private static final TurboJpeg TURBO = TurboJpeg.get().orElseThrow(() -> new AssertionError("libjpeg-turbo must load on linux-x86_64"));

    /** JPEGs as encoders write them: chroma 4:2:0, 4:2:2 and 4:4:4, gray, restart intervals, odd sizes. */
    static Map<String, byte[]> plainJpegs() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        BufferedImage photo = InputDecoderTest.rgb(InputDecoderTest.smooth(203, 141));
        BufferedImage noise = InputDecoderTest.rgb(ImageDecoderTest.noise(61, 47));
        out.put("4:2:0 photo", write(photo, 2, 2, 0, false));
        out.put("4:2:0 noise", write(noise, 2, 2, 0, false));
        out.put("4:2:2", write(photo, 2, 1, 0, false));
        out.put("4:4:4", write(photo, 1, 1, 0, false));
        out.put("4:2:0 restart every 3 MCUs", write(photo, 2, 2, 3, false));
        BufferedImage gray = new BufferedImage(77, 35, BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(photo, 0, 0, null);
        out.put("gray", ImageDecoderTest.encode(gray, "jpeg"));
        return out;
    }

    @Test
    void aPlainJpegDecodesRowByRowToLeptonicasPixelsAtEveryScale() throws Exception {
        for (Map.Entry<String, byte[]> e : plainJpegs().entrySet()) {
            byte[] jpeg = e.getValue();
            PlainJpeg plain = PlainJpeg.parse(jpeg, 0, jpeg.length);
            assertNotNull(plain, e.getKey());
            for (int reduction : new int[] {1, 2, 4, 8}) {
                RgbImage guarded = TURBO.decode(jpeg, 0, jpeg.length, reduction).toRgbImage();
                try (JpegRows rows = TURBO.open(plain, reduction)) {
                    assertEquals(guarded.width(), rows.width(), e.getKey());
                    assertEquals(guarded.height(), rows.height(), e.getKey());
                    byte[] rgb = new byte[3 * rows.width() * rows.height()];
                    int[] ch = rows.channels();
                    for (int y = 0, o = 0; y < rows.height(); y++) {
                        byte[] row = rows.row(y);
                        for (int x = 0; x < rows.width(); x++) {
                            for (int c = 0; c < 3; c++) rgb[o++] = row[x * rows.pixelStride() + ch[c]];
                        }
                    }
                    assertFalse(rows.warned(), e.getKey());
                    assertArrayEquals(guarded.rgb(), rgb, e.getKey() + " at 1/" + reduction);
                }
            }
        }
    }

    @Test
    void whatLibjpegCouldRefuseOrReadDifferentlyIsDeclined() throws Exception {
        BufferedImage photo = InputDecoderTest.rgb(InputDecoderTest.smooth(64, 48));
        byte[] baseline = write(photo, 2, 2, 0, false);
        assertNotNull(PlainJpeg.parse(baseline, 0, baseline.length));
        byte[] progressive = write(photo, 2, 2, 0, true);
        assertNull(PlainJpeg.parse(progressive, 0, progressive.length), "progressive");
        byte[] cmyk = InputDecoderTest.class.getResourceAsStream("/images/cmyk_adobe.jpg").readAllBytes();
        assertNull(PlainJpeg.parse(cmyk, 0, cmyk.length), "CMYK");

        byte[] twelveBit = baseline.clone();
        twelveBit[find(baseline, 0xC0) + 4] = 12;
        assertNull(PlainJpeg.parse(twelveBit, 0, twelveBit.length), "12-bit samples");

        // The first table is ImageIO's standard luma DC one: 0 codes of 1 bit, 1 of 2 bits, 5 of 3 bits...
        int dht = find(baseline, 0xC4);
        assertEquals(List.of(0x00, 0, 1, 5), List.of(baseline[dht + 4] & 0xFF, (int) baseline[dht + 5], (int) baseline[dht + 6], (int) baseline[dht + 7]));
        byte[] fullCodeSpace = baseline.clone(); // the same 12 codes, two of them 1 bit long: no room left
        fullCodeSpace[dht + 5] = 2;
        fullCodeSpace[dht + 7] = 3;
        assertNull(PlainJpeg.parse(fullCodeSpace, 0, fullCodeSpace.length), "over-full Huffman table");

        byte[] dcSymbol = baseline.clone(); // a DC difference of more than 15 bits
        dcSymbol[dht + 5 + 16] = 16;
        assertNull(PlainJpeg.parse(dcSymbol, 0, dcSymbol.length), "DC symbol over 15");

        byte[] missingTable = baseline.clone(); // the scan names AC table 3, never defined
        int sos = find(baseline, 0xDA);
        missingTable[sos + 6] = 0x03;
        assertNull(PlainJpeg.parse(missingTable, 0, missingTable.length), "undefined table");

        byte[] partialScan = baseline.clone(); // a scan ending at coefficient 5: progressive-like, libjpeg warns
        partialScan[sos + 4 + 2 * 3 + 2] = 5;
        assertNull(PlainJpeg.parse(partialScan, 0, partialScan.length), "spectral selection");

        // Without JFIF or Adobe markers libjpeg guesses from the component ids: R, G, B means no colour transform.
        byte[] bare = withoutApp0(baseline);
        assertNotNull(PlainJpeg.parse(bare, 0, bare.length), "ids 1, 2, 3: YCbCr");
        int sof = find(bare, 0xC0);
        int sosBare = find(bare, 0xDA);
        for (int c = 0; c < 3; c++) {
            bare[sof + 10 + 3 * c] = (byte) "RGB".charAt(c);
            bare[sosBare + 5 + 2 * c] = (byte) "RGB".charAt(c);
        }
        assertNull(PlainJpeg.parse(bare, 0, bare.length), "ids R, G, B: RGB");
    }

    @Test
    void componentsAreRenumberedAndApplicationSegmentsDropped() throws Exception {
        byte[] baseline = write(InputDecoderTest.rgb(InputDecoderTest.smooth(40, 30)), 2, 2, 0, false);
        byte[] stream = PlainJpeg.parse(baseline, 0, baseline.length).stream();
        assertEquals(-1, find(stream, 0xE0), "no APP0");
        int sof = find(stream, 0xC0);
        assertEquals(List.of(1, 2, 3), List.of((int) stream[sof + 10], (int) stream[sof + 13], (int) stream[sof + 16]));
        assertEquals(0xD9, stream[stream.length - 1] & 0xFF);
    }

    /**
     * Bytes flipped in the headers and the scan, cut short, or markers dropped in: every result is pixels or a decode
     * error, never a process exit (this JVM would stop, and the build with it). Most mutants stay plain, so that
     * libjpeg's own API is what reads them.
     */
    @Test
    void noMutilatedJpegStopsTheProcess() throws Exception {
        List<byte[]> bases = new ArrayList<>(plainJpegs().values());
        InputDecoder decoder = new InputDecoder(new ImagePipeline(24, 24, Resize.CROP, Preprocess.RAW), 1 << 22);
        Random random = new Random(Long.getLong("mlpack.jpegMutantSeed", 20261203));
        int plain = 0;
        int decoded = 0;
        int mutants = Integer.getInteger("mlpack.jpegMutants", 4000); // more by hand: -Dmlpack.jpegMutants=200000
        for (int i = 0; i < mutants; i++) {
            byte[] base = bases.get(i % bases.size());
            byte[] m = mutate(base, random);
            if (PlainJpeg.parse(m, 0, m.length) != null) plain++;
            try {
                decoder.pixels(m, 0, m.length, "m", InputDecoder.MemoryGate.NONE);
                decoded++;
            } catch (ImageDecodeException expected) {
                // refused, with a message: fine
            }
        }
        System.out.printf("%d mutants: %d plain, %d decoded%n", mutants, plain, decoded);
        assertTrue(plain > mutants / 3, plain + " of " + mutants + " mutants went to libjpeg directly");
        assertTrue(decoded > 0 && decoded < mutants, decoded + " of " + mutants + " decoded");
    }

    private static byte[] mutate(byte[] base, Random random) {
        byte[] m = base.clone();
        int headerEnd = find(base, 0xDA) + 14;
        switch (random.nextInt(5)) {
            case 0 -> { // a few bytes of the headers
                for (int k = 1 + random.nextInt(3); k > 0; k--) m[2 + random.nextInt(headerEnd - 2)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> { // one header byte set to an extreme
                m[2 + random.nextInt(headerEnd - 2)] = (byte) (random.nextBoolean() ? 0xFF : 0);
            }
            case 2 -> { // the scan data
                for (int k = 1 + random.nextInt(8); k > 0; k--) m[headerEnd + random.nextInt(m.length - headerEnd)] ^= (byte) random.nextInt(256);
            }
            case 3 -> m = Arrays.copyOf(m, 4 + random.nextInt(m.length - 4)); // cut short
            default -> { // a marker inside the scan
                int at = headerEnd + random.nextInt(m.length - headerEnd - 1);
                m[at] = (byte) 0xFF;
                m[at + 1] = (byte) (0xC0 + random.nextInt(0x40));
            }
        }
        return m;
    }

    /** The offset of the first {@code FF marker} pair, or -1. */
    static int find(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) return i;
        }
        return -1;
    }

    private static byte[] withoutApp0(byte[] jpeg) {
        int app0 = find(jpeg, 0xE0);
        int length = ((jpeg[app0 + 2] & 0xFF) << 8) | (jpeg[app0 + 3] & 0xFF);
        byte[] out = new byte[jpeg.length - 2 - length];
        System.arraycopy(jpeg, 0, out, 0, app0);
        System.arraycopy(jpeg, app0 + 2 + length, out, app0, jpeg.length - app0 - 2 - length);
        return out;
    }

    /**
     * {@code image} as a JPEG from ImageIO's writer at quality 0.9, with the luma sampling factors given (chroma 1x1),
     * a restart interval in MCUs (0 for none), sequential or progressive.
     */
    static byte[] write(BufferedImage image, int lumaH, int lumaV, int restartInterval, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
        String format = "javax_imageio_jpeg_image_1.0";
        Element tree = (Element) metadata.getAsTree(format);
        NodeList components = tree.getElementsByTagName("componentSpec");
        Element luma = (Element) components.item(0);
        luma.setAttribute("HsamplingFactor", Integer.toString(lumaH));
        luma.setAttribute("VsamplingFactor", Integer.toString(lumaV));
        if (restartInterval > 0) {
            Element dri = new javax.imageio.metadata.IIOMetadataNode("dri");
            dri.setAttribute("interval", Integer.toString(restartInterval));
            Element sequence = (Element) tree.getElementsByTagName("markerSequence").item(0);
            sequence.insertBefore(dri, sequence.getFirstChild());
        }
        metadata.setFromTree(format, tree);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
