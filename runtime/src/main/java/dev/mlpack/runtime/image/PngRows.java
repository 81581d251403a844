package dev.mlpack.runtime.image;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A non-interlaced PNG decoded one row at a time, as {@link ImageDecoder} would decode it whole: the same RGB bytes
 * (gray copied to the three channels, palette colours, 16-bit samples by their high byte, alpha dropped), while holding
 * two rows rather than the image. A 4096 x 4096 16-bit RGBA file, 128 MB once decoded by ImageIO, needs about 100 KB
 * here. Interlaced (Adam7) files are not read this way: their rows arrive in seven passes.
 *
 * <p>Not thread-safe; one instance reads one image once. {@link #close()} frees the inflater's native memory.
 */
final class PngRows implements RowSource, AutoCloseable {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final byte[] data;
    private final int end;
    private final String source;
    private final int width;
    private final int height;
    private final int bitDepth;
    private final int channels;
    private final byte[] palette; // RGB triples, null unless colour type 3
    private final int stride; // bytes of one filtered row, without its filter byte
    private final int filterStep; // bytes per complete pixel, at least 1 (PNG's "bpp" for filtering)
    private final Inflater inflater = new Inflater();
    private byte[] previous;
    private byte[] current;
    private final byte[] filterType = new byte[1];
    private final byte[][] rgb = new byte[2][];
    private int decoded = -1; // the last row decoded
    private int chunk; // offset of the next chunk to look at for IDAT data

    private PngRows(byte[] data, int offset, int length, String source, Header h) {
        this.data = data;
        this.end = offset + length;
        this.source = source;
        this.width = h.width;
        this.height = h.height;
        this.bitDepth = h.bitDepth;
        this.channels = h.channels;
        this.palette = h.palette;
        this.stride = (int) (((long) width * channels * bitDepth + 7) / 8);
        this.filterStep = Math.max(1, channels * bitDepth / 8);
        this.previous = new byte[stride];
        this.current = new byte[stride];
        this.rgb[0] = new byte[3 * width];
        this.rgb[1] = new byte[3 * width];
        this.chunk = h.firstChunk;
    }

    /** What the header says, read before anything is inflated. */
    record Header(int width, int height, int bitDepth, int colorType, int channels, boolean interlaced, byte[] palette,
                  int firstChunk) {}

    /**
     * The PNG's header (IHDR, and PLTE for palette images), or null when {@code data} is not a PNG with a readable
     * IHDR; nothing is inflated.
     */
    static Header header(byte[] data, int offset, int length) {
        int end = offset + length;
        if (length < 33) return null;
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (data[offset + i] != SIGNATURE[i]) return null;
        }
        int at = offset + 8;
        if (int32(data, at) != 13 || !type(data, at + 4).equals("IHDR")) return null;
        int width = int32(data, at + 8);
        int height = int32(data, at + 12);
        int bitDepth = data[at + 16] & 0xFF;
        int colorType = data[at + 17] & 0xFF;
        int interlace = data[at + 20] & 0xFF;
        int channels = switch (colorType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> -1;
        };
        boolean depthOk = switch (colorType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            default -> bitDepth == 8 || bitDepth == 16;
        };
        if (width <= 0 || height <= 0 || channels < 0 || !depthOk || interlace > 1) return null;
        int first = at + 8 + 13 + 4;
        byte[] palette = null;
        if (colorType == 3) {
            for (int c = first; c + 8 <= end; ) {
                int len = int32(data, c);
                String t = type(data, c + 4);
                if (len < 0 || c + 12L + len > end) break;
                if (t.equals("PLTE")) {
                    palette = java.util.Arrays.copyOfRange(data, c + 8, c + 8 + len - len % 3);
                    break;
                }
                if (t.equals("IDAT")) break;
                c += 12 + len;
            }
        }
        return new Header(width, height, bitDepth, colorType, channels, interlace == 1, palette, first);
    }

    /**
     * A reader for {@code data}, or null when it is not a PNG this class reads (not a PNG, interlaced, or a palette image
     * without a palette): {@link ImageDecoder} then decodes it, or explains what is wrong with it.
     */
    static PngRows open(byte[] data, int offset, int length, String source) {
        return open(data, offset, length, header(data, offset, length), source);
    }

    /** {@link #open(byte[], int, int, String)} with the header already read ({@link ImageHeader#png()}). */
    static PngRows open(byte[] data, int offset, int length, Header h, String source) {
        if (h == null || h.interlaced || (h.colorType == 3 && (h.palette == null || h.palette.length == 0))) return null;
        return new PngRows(data, offset, length, source, h);
    }

    @Override
    public int width() { return width; }

    @Override
    public int height() { return height; }

    @Override
    public byte[] row(int y) throws ImageDecodeException {
        if (y < decoded - 1 || y >= height) throw new IllegalArgumentException("row " + y + " after row " + decoded);
        while (decoded < y) {
            nextRaw();
            decoded++;
            // Only rows y - 1 and y can be asked for from now on: the rows skipped over are unfiltered, not converted.
            if (decoded >= y - 1) toRgb(current, rgb[decoded & 1]);
        }
        return rgb[y & 1];
    }

    @Override
    public int offset(int y) { return 0; }

    /**
     * Reads the rows nothing asked for (a shrinking resize skips some), so that a file truncated or corrupt anywhere is
     * refused as {@link ImageDecoder} refuses it.
     */
    void finish() throws ImageDecodeException {
        while (decoded < height - 1) {
            nextRaw();
            decoded++;
        }
    }

    @Override
    public void close() {
        inflater.end();
    }

    /** Inflates and unfilters the next row into {@link #current} (the previous one moves to {@link #previous}). */
    private void nextRaw() throws ImageDecodeException {
        byte[] swap = previous;
        previous = current;
        current = swap;
        inflateFully(filterType, 0, 1);
        inflateFully(current, 0, stride);
        int f = filterType[0] & 0xFF;
        byte[] cur = current;
        byte[] prev = previous; // before the first row: the array of zeros the filters take as the row above
        int step = filterStep;
        switch (f) {
            case 0 -> { }
            case 1 -> {
                for (int i = step; i < stride; i++) cur[i] += cur[i - step];
            }
            case 2 -> {
                for (int i = 0; i < stride; i++) cur[i] += prev[i];
            }
            case 3 -> {
                for (int i = 0; i < stride; i++) {
                    int left = i >= step ? cur[i - step] & 0xFF : 0;
                    cur[i] += (byte) ((left + (prev[i] & 0xFF)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < stride; i++) {
                    int a = i >= step ? cur[i - step] & 0xFF : 0;
                    int b = prev[i] & 0xFF;
                    int c = i >= step ? prev[i - step] & 0xFF : 0;
                    cur[i] += (byte) paeth(a, b, c);
                }
            }
            default -> throw corrupt("unknown filter type " + f + " in row " + (decoded + 1));
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private void inflateFully(byte[] into, int offset, int length) throws ImageDecodeException {
        int at = offset;
        int stop = offset + length;
        try {
            while (at < stop) {
                int n = inflater.inflate(into, at, stop - at);
                at += n;
                if (n > 0) continue;
                if (inflater.finished()) throw corrupt("image data ends at row " + (decoded + 1) + " of " + height);
                if (inflater.needsDictionary()) throw corrupt("image data needs a preset dictionary");
                if (inflater.needsInput() && !feed()) throw corrupt("truncated: no more image data after row " + (decoded + 1) + " of " + height);
            }
        } catch (DataFormatException e) {
            throw corrupt("bad compressed data: " + e.getMessage());
        }
    }

    /** Gives the inflater the next IDAT chunk's data; false when there is none. */
    private boolean feed() {
        while (chunk + 8 <= end) {
            int len = int32(data, chunk);
            if (len < 0) return false;
            String t = type(data, chunk + 4);
            int dataStart = chunk + 8;
            // A chunk cut short by the end of the file still gives what it has, as ImageIO reads it.
            int available = (int) Math.min(len, (long) end - dataStart);
            chunk = (int) Math.min(end, dataStart + (long) len + 4);
            if (t.equals("IEND")) return false;
            if (t.equals("IDAT") && available > 0) {
                inflater.setInput(data, dataStart, available);
                return true;
            }
        }
        return false;
    }

    /** One unfiltered row to RGB bytes, as {@link ImageDecoder} converts each colour type. */
    private void toRgb(byte[] raw, byte[] out) {
        int w = width;
        if (bitDepth == 8 || bitDepth == 16) {
            int bytesPerSample = bitDepth / 8;
            int pixelBytes = channels * bytesPerSample;
            for (int x = 0, i = 0, o = 0; x < w; x++, i += pixelBytes) {
                if (palette != null) {
                    putPalette(raw[i] & 0xFF, out, o);
                } else if (channels <= 2) { // gray, gray + alpha: the high byte of the gray sample
                    byte v = raw[i];
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                } else { // RGB, RGBA
                    out[o] = raw[i];
                    out[o + 1] = raw[i + bytesPerSample];
                    out[o + 2] = raw[i + 2 * bytesPerSample];
                }
                o += 3;
            }
            return;
        }
        // 1, 2 or 4 bits: gray or palette indices, packed from the high bit.
        int perByte = 8 / bitDepth;
        int mask = (1 << bitDepth) - 1;
        for (int x = 0, o = 0; x < w; x++, o += 3) {
            int shift = 8 - bitDepth * (x % perByte + 1);
            int v = (raw[x / perByte] >> shift) & mask;
            if (palette != null) {
                putPalette(v, out, o);
            } else {
                byte g = (byte) ImageDecoder.to8Bit(v, bitDepth);
                out[o] = g;
                out[o + 1] = g;
                out[o + 2] = g;
            }
        }
    }

    private void putPalette(int index, byte[] out, int o) {
        int i = 3 * Math.min(index, palette.length / 3 - 1); // a corrupt index must not crash decoding
        out[o] = palette[i];
        out[o + 1] = palette[i + 1];
        out[o + 2] = palette[i + 2];
    }

    private ImageDecodeException corrupt(String why) {
        return new ImageDecodeException(source, "corrupt or truncated PNG data (" + why + ")");
    }

    private static int int32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static String type(byte[] b, int i) {
        return new String(b, i, 4, StandardCharsets.ISO_8859_1);
    }
}
