package dev.mlpack.runtime.image;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG, BMP and GIF files to 8-bit {@link RgbImage}s with {@code javax.imageio}.
 *
 * <p>Every colour type is converted rather than rejected, following what Keras' image loading
 * (PIL's {@code convert("RGB")}) does, so that evaluation in Java sees the pixels training saw:
 *
 * <ul>
 *   <li>grayscale (any bit depth, with or without alpha): the gray value in all three channels;
 *   <li>alpha (RGBA, ARGB, gray+alpha, transparent palette entries): alpha is dropped, never
 *       composited;
 *   <li>palette images (GIF, 8-bit PNG and BMP): the palette colour;
 *   <li>16-bit channels: the high byte;
 *   <li>CMYK and YCCK JPEGs (as written by Photoshop): naive conversion {@code R = (255 - C) *
 *       (255 - K) / 255}, no ICC profile, like PIL (needs JDK 23 or later, whose JPEG reader
 *       returns CMYK images; this project builds with 25);
 *   <li>embedded ICC profiles are ignored (pixel values are taken as sRGB), and so is the EXIF
 *       orientation tag, like Keras' {@code load_img} and {@code tf.io.decode_image}.
 * </ul>
 *
 * <p>Only the first frame of an animated GIF is decoded. Corrupt or truncated data raises {@link
 * ImageDecodeException} (the JDK's JPEG reader would otherwise silently return a half-grey image
 * for a truncated file). Before any pixel is decoded, the dimensions are read from the header and
 * checked against a pixel limit, so a small file that claims to be 100000 x 100000 pixels (a
 * decompression bomb) is rejected without allocating its memory.
 *
 * <p>Thread-safe: instances hold only the limit.
 */
public final class ImageDecoder {

    /** 2^26 (about 67 megapixels): above any camera photo, about 200 MB once decoded to RGB. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    /**
     * A faster decoder for plain JPEGs, tried before ImageIO: e.g. libjpeg-turbo through TensorFlow where TensorFlow is
     * loaded anyway. ImageIO's JPEG decoder takes about four times as long, which dominates evaluation and calibration.
     */
    @FunctionalInterface
    public interface JpegBackend {
        /**
         * Decodes a JPEG of 1 (gray) or 3 (YCbCr or RGB) components to {@code width * height * 3} RGB bytes, exactly as
         * libjpeg does with its accurate integer IDCT and fancy upsampling (what PIL and ImageIO give); or returns null
         * when it cannot, e.g. corrupt or truncated data, so that ImageIO decides and explains.
         */
        byte[] decodeRgb(byte[] jpeg, int width, int height);
    }

    private final long maxPixels;
    private final JpegBackend jpegBackend; // null: ImageIO only

    /** A decoder that rejects images with more than {@code maxPixels} pixels. */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, null);
    }

    private ImageDecoder(long maxPixels, JpegBackend jpegBackend) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.jpegBackend = jpegBackend;
    }

    /** This decoder, trying {@code backend} first for plain 1- and 3-component JPEGs within the pixel limit. */
    public ImageDecoder withJpegBackend(JpegBackend backend) {
        return new ImageDecoder(maxPixels, backend);
    }

    /** A decoder with {@link #DEFAULT_MAX_PIXELS}. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Decodes an image file; the file's path names it in error messages. */
    public RgbImage decode(Path file) throws ImageDecodeException {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ImageDecodeException(source, Files.exists(file) ? "not a regular file" : "no such file");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageDecodeException(source, "cannot open: " + oneLine(e), e);
        }
        return decode(data, source);
    }

    /** Decodes an image held in memory, e.g. an HTTP upload; {@code source} names it in errors. */
    public RgbImage decode(byte[] data, String source) throws ImageDecodeException {
        return decode(data, 0, data.length, source);
    }

    /**
     * Decodes the {@code length} bytes at {@code offset} of {@code data}, e.g. one part of a multipart upload. The
     * header probe ({@link ImageHeader}, the one the server's {@link InputDecoder} uses) names the format and checks the
     * pixel limit before anything is decoded; ImageIO is asked to recognise the bytes only when the probe cannot, to name
     * an unsupported format in the error.
     */
    public RgbImage decode(byte[] data, int offset, int length, String source) throws ImageDecodeException {
        if (length == 0) {
            throw new ImageDecodeException(source, "empty file");
        }
        return decode(data, offset, length, ImageHeader.read(data, offset, length), source);
    }

    /** {@link #decode(byte[], int, int, String)} with the header its caller has already probed. */
    RgbImage decode(byte[] data, int offset, int length, ImageHeader header, String source) throws ImageDecodeException {
        if (header.recognised() && header.pixels() > maxPixels) {
            throw new ImageTooLargeException(source, header.width(), header.height(), maxPixels);
        }
        if (jpegBackend != null && header.jpeg() != null) {
            RgbImage fast = decodeWithBackend(offset == 0 && length == data.length ? data : Arrays.copyOfRange(data, offset, offset + length),
                    header.jpeg());
            if (fast != null) return fast;
        }
        return decodeAndClose(new MemoryCacheImageInputStream(new ByteArrayInputStream(data, offset, length)), header.format(), source);
    }

    /** The backend's image, or null when the JPEG is not plain (1 or 3 components) or the backend declines. */
    private RgbImage decodeWithBackend(byte[] data, JpegFrame frame) {
        if (frame.components() != 1 && frame.components() != 3) return null;
        byte[] rgb = jpegBackend.decodeRgb(data, frame.width(), frame.height());
        return rgb != null && rgb.length == 3 * frame.width() * frame.height() ? RgbImage.wrap(frame.width(), frame.height(), rgb) : null;
    }

    /** Reads the stream to its end (without closing it) and decodes it. */
    public RgbImage decode(InputStream data, String source) throws ImageDecodeException {
        byte[] bytes;
        try {
            bytes = data.readAllBytes();
        } catch (IOException e) {
            throw new ImageDecodeException(source, "cannot read: " + oneLine(e), e);
        }
        return decode(bytes, source);
    }

    private RgbImage decodeAndClose(ImageInputStream in, ImageFormat probed, String source) throws ImageDecodeException {
        try (in) {
            return decodeStream(in, probed, source);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodeException(source, "cannot read: " + oneLine(e), e);
        }
    }

    private RgbImage decodeStream(ImageInputStream in, ImageFormat probed, String source) throws IOException {
        ImageReader reader = probed != null ? readerFor(probed) : pickReader(in, source);
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        List<String> warnings = new ArrayList<>();
        try {
            // Metadata is never needed: skipping it saves parsing e.g. large PNG text chunks.
            reader.setInput(in, false, true);
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));

            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw new ImageDecodeException(source, "invalid " + format + " size " + width + "x" + height);
            }
            if ((long) width * height > maxPixels) throw new ImageTooLargeException(source, width, height, maxPixels);

            BufferedImage image = readKeepingSampleValues(reader, in);
            for (String w : warnings) {
                // The JPEG reader reports truncation only as a warning and pads the image with
                // grey ("Truncated File - Missing EOI marker", libjpeg's "premature end").
                String lower = w.toLowerCase(Locale.ROOT);
                if (lower.contains("truncated") || lower.contains("premature end")) {
                    throw new ImageDecodeException(source, "corrupt or truncated " + format + " data (" + oneLine(w) + ")");
                }
            }
            return toRgb(image);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO readers throw IIOException, EOFException or, on garbage, runtime exceptions
            // such as ArrayIndexOutOfBounds; all mean the same thing to the caller.
            throw new ImageDecodeException(source, "corrupt or truncated " + format + " data ("
                    + oneLine(rootCause(e)) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    private static BufferedImage readKeepingSampleValues(ImageReader reader, ImageInputStream in) throws IOException {
        ImageReadParam param = readParam(reader);
        if (param.getDestinationType() == null) return reader.read(0);
        try {
            return reader.read(0, param);
        } catch (IIOException e) {
            // The JDK's reader rejects its own image type when the profile's bytes change on a second parse (profiles
            // the colour engine rewrites when it loads them). Converted pixels are better than no image.
            in.seek(0);
            reader.setInput(in, false, true);
            return reader.read(0);
        }
    }

    /**
     * Read parameters that keep the file's own sample values. For an RGB JPEG with an embedded ICC profile the JDK's
     * reader would otherwise convert every pixel from that profile to sRGB (a change of 5 to 10 levels per channel on
     * typical camera profiles), which neither PIL nor TensorFlow does: asking for the image type in the profile's own
     * colour space turns the conversion off.
     */
    private static ImageReadParam readParam(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        while (types.hasNext()) {
            ImageTypeSpecifier type = types.next();
            ColorSpace cs = type.getColorModel().getColorSpace();
            if (cs instanceof ICC_ColorSpace && !cs.isCS_sRGB() && cs.getType() == ColorSpace.TYPE_RGB
                    && type.getNumBands() == 3) {
                param.setDestinationType(type);
                break;
            }
        }
        return param;
    }

    private static ImageReader readerFor(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name());
        if (!readers.hasNext()) throw new IllegalStateException("this Java has no ImageIO reader for " + format);
        return readers.next();
    }

    /** The reader of one of our formats that recognises the bytes, or an error naming the format they are in. */
    private static ImageReader pickReader(ImageInputStream in, String source) throws ImageDecodeException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        String other = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String name;
            try {
                name = r.getFormatName().toLowerCase(Locale.ROOT);
            } catch (IOException e) {
                continue;
            }
            if (ImageFormat.ofImageIoName(name).isPresent()) {
                return r;
            }
            // WBMP's format sniffing accepts much random data; never decode with it or TIFF.
            other = other == null ? name.toUpperCase(Locale.ROOT) : other;
        }
        throw new ImageDecodeException(source, (other == null ? "unrecognised image format" : "unsupported image format " + other)
                + " (expected " + ImageFormat.names() + ")");
    }

    // ------------------------------------------------------------------ colour conversion

    static RgbImage toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int csType = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel icm) {
            return fromPalette(raster, icm);
        }
        if (csType == ColorSpace.TYPE_GRAY) {
            // Not image.getRGB(): Java2D treats 8-bit gray as linear and brightens it on the way
            // to sRGB, while every other decoder copies the gray value.
            return fromGray(raster, cm.getComponentSize(0));
        }
        if (csType == ColorSpace.TYPE_CMYK && raster.getNumBands() == 4) {
            return fromCmykInk(raster);
        }
        if (csType == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3) {
            // Bands 0..2 are R, G, B for both component (e.g. 3BYTE_BGR) and packed (INT_RGB,
            // 16-bit BMP) colour models; alpha, if any, comes after and is dropped.
            return fromRgbBands(raster, new int[] {cm.getComponentSize(0), cm.getComponentSize(1), cm.getComponentSize(2)});
        }
        return fromJava2d(image);
    }

    private static RgbImage fromPalette(Raster raster, IndexColorModel icm) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int size = icm.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        icm.getReds(reds);
        icm.getGreens(greens);
        icm.getBlues(blues);
        byte[] out = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            int o = 3 * w * y;
            for (int x = 0; x < w; x++) {
                int i = Math.min(row[x], size - 1); // a corrupt index must not crash decoding
                out[o++] = reds[i];
                out[o++] = greens[i];
                out[o++] = blues[i];
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static RgbImage fromGray(Raster raster, int bits) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            int o = 3 * w * y;
            for (int x = 0; x < w; x++) {
                byte v = (byte) to8Bit(row[x], bits);
                out[o++] = v;
                out[o++] = v;
                out[o++] = v;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static RgbImage fromRgbBands(Raster raster, int[] bits) {
        if (raster.getDataBuffer() instanceof DataBufferByte bytes && bytes.getNumBanks() == 1
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel interleaved
                && bits[0] == 8 && bits[1] == 8 && bits[2] == 8) {
            return fromInterleavedBytes(raster, bytes, interleaved);
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[3 * w * h];
        int[] row = new int[w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, c, row);
                int o = 3 * w * y + c;
                for (int x = 0; x < w; x++, o += 3) {
                    out[o] = (byte) to8Bit(row[x], bits[c]);
                }
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /**
     * The common case (what the JPEG reader returns) without a per-sample call: 8-bit samples interleaved in one byte
     * array, e.g. B, G, R for {@code TYPE_3BYTE_BGR}, copied by their band offsets. Several times faster than
     * {@code getSamples}, which matters to evaluation throughput and server latency.
     */
    private static RgbImage fromInterleavedBytes(Raster raster, DataBufferByte buffer, PixelInterleavedSampleModel model) {
        byte[] data = buffer.getData();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int pixelStride = model.getPixelStride();
        int scanlineStride = model.getScanlineStride();
        int[] offsets = model.getBandOffsets();
        int r = offsets[0];
        int g = offsets[1];
        int b = offsets[2];
        int origin = buffer.getOffset() + (raster.getMinY() - raster.getSampleModelTranslateY()) * scanlineStride
                + (raster.getMinX() - raster.getSampleModelTranslateX()) * pixelStride;
        byte[] out = new byte[3 * w * h];
        int o = 0;
        for (int y = 0; y < h; y++) {
            int i = origin + y * scanlineStride;
            for (int x = 0; x < w; x++, i += pixelStride) {
                out[o++] = data[i + r];
                out[o++] = data[i + g];
                out[o++] = data[i + b];
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /**
     * CMYK to RGB, {@code R = (255 - C) * (255 - K) / 255} etc. (PIL's formula, no ICC profile).
     * Since JDK 23 the JPEG reader returns CMYK images with ink amounts (0 = no ink): it undoes
     * YCCK coding and, like PIL and Photoshop, Adobe's inverted storage, which it assumes for
     * every 4-channel JPEG whether or not the Adobe marker is present.
     */
    private static RgbImage fromCmykInk(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[3 * w * h];
        int[] row = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            int o = 3 * w * y;
            for (int x = 0; x < w; x++) {
                int paperK = 255 - row[4 * x + 3];
                out[o++] = (byte) mul255(255 - row[4 * x], paperK);
                out[o++] = (byte) mul255(255 - row[4 * x + 1], paperK);
                out[o++] = (byte) mul255(255 - row[4 * x + 2], paperK);
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /** Anything else (e.g. an unusual colour space): let Java2D convert to sRGB. */
    private static RgbImage fromJava2d(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            int o = 3 * w * y;
            for (int x = 0; x < w; x++) {
                int p = row[x];
                out[o++] = (byte) (p >> 16);
                out[o++] = (byte) (p >> 8);
                out[o++] = (byte) p;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /** An unsigned sample of {@code bits} bits to 0..255: high byte if wider, scaled if narrower. */
    static int to8Bit(int v, int bits) {
        if (bits == 8) {
            return v & 0xFF;
        }
        if (bits > 8) {
            return (v >>> (bits - 8)) & 0xFF;
        }
        int max = (1 << bits) - 1;
        return (v * 255 + max / 2) / max;
    }

    private static int mul255(int a, int b) {
        return (a * b + 127) / 255;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t instanceof java.io.EOFException ? "unexpected end of file" : t.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s+", " ").trim();
    }
}
