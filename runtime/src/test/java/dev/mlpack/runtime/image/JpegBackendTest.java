package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the decoder hands a file to a {@link ImageDecoder.JpegBackend}, and what happens when the backend declines. */
class JpegBackendTest {
    private static final byte MARK = 77;

    /** A backend that records its calls and returns an image of MARK bytes, or declines. */
    private static final class Recording implements ImageDecoder.JpegBackend {
        final List<String> calls = new ArrayList<>();
        final boolean decline;

        Recording(boolean decline) {
            this.decline = decline;
        }

        @Override
        public byte[] decodeRgb(byte[] jpeg, int width, int height) {
            calls.add(width + "x" + height);
            if (decline) return null;
            byte[] rgb = new byte[3 * width * height];
            Arrays.fill(rgb, MARK);
            return rgb;
        }
    }

    @Test
    void theFrameHeaderGivesSizeComponentsAndSamplingWithoutDecoding() throws Exception {
        // The JDK writes baseline JPEGs, colour with 4:2:0 chroma (planes of 1 + 1/4 + 1/4 of the pixels).
        JpegFrame colour = JpegFrame.read(ImageDecoderTest.jpeg(new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR)));
        assertEquals(new JpegFrame(7, 5, 3, false, 1500), colour);
        JpegFrame gray = JpegFrame.read(ImageDecoderTest.jpeg(new BufferedImage(4, 9, BufferedImage.TYPE_BYTE_GRAY)));
        assertEquals(new JpegFrame(4, 9, 1, false, 1000), gray);
        assertNull(JpegFrame.read(ImageDecoderTest.encode(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png")));
        byte[] jpeg = ImageDecoderTest.jpeg(new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR));
        assertNull(JpegFrame.read(Arrays.copyOf(jpeg, 30)), "cut before the frame header");
    }

    @Test
    void plainJpegsGoToTheBackend() throws Exception {
        Recording backend = new Recording(false);
        ImageDecoder decoder = new ImageDecoder().withJpegBackend(backend);
        RgbImage image = decoder.decode(ImageDecoderTest.jpeg(new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR)), "a.jpg");
        assertEquals(List.of("7x5"), backend.calls);
        assertEquals(7, image.width());
        assertEquals(5, image.height());
        assertEquals(MARK, image.rgb()[0]);
    }

    @Test
    void otherFormatsCmykAndImagesAboveTheLimitNeverReachIt() throws Exception {
        Recording backend = new Recording(false);
        ImageDecoder decoder = new ImageDecoder().withJpegBackend(backend);
        decoder.decode(ImageDecoderTest.encode(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png"), "a.png");
        try (InputStream cmyk = getClass().getResourceAsStream("/images/cmyk_adobe.jpg")) {
            decoder.decode(cmyk, "cmyk.jpg");
        }
        ImageDecoder small = new ImageDecoder(10).withJpegBackend(backend);
        byte[] big = ImageDecoderTest.jpeg(new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR));
        assertThrows(ImageDecodeException.class, () -> small.decode(big, "big.jpg"));
        assertEquals(List.of(), backend.calls);
    }

    @Test
    void whenTheBackendDeclinesImageIoDecodesAndExplains() throws Exception {
        Recording backend = new Recording(true);
        ImageDecoder decoder = new ImageDecoder().withJpegBackend(backend);
        byte[] jpeg = ImageDecoderTest.jpeg(new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR));
        assertArrayEquals(new ImageDecoder().decode(jpeg, "a.jpg").rgb(), decoder.decode(jpeg, "a.jpg").rgb());
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length - 40);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(truncated, "cut.jpg"));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(2, backend.calls.size());
    }
}
