package dev.mlpack.runtime.image;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A JPEG that libjpeg can decode without ever reaching its fatal-error exit, rebuilt so that libjpeg sees only what was
 * checked here: what most cameras and web encoders write (sequential 8-bit Huffman coding, gray or YCbCr, one scan of
 * all components).
 *
 * <p>Why it exists: libjpeg reports a fatal error by calling a function that must not return, and the only way out of
 * it is C's {@code longjmp}, which Java cannot do across the FFM boundary. Leptonica's reader has its own
 * {@code setjmp} and is safe with any file, but costs about 70% more than libjpeg alone (it converts every pixel to
 * its 32-bit format and reads the file twice). So {@link #parse} repeats every check libjpeg-turbo makes before and
 * while it decodes such a file, refusing (null) whatever it does not recognise, and {@link #write} gives libjpeg a
 * stream holding only the checked segments: SOI, the quantisation and Huffman tables, the restart interval, the frame
 * and scan headers with components renumbered 1..n, then the file's scan data and an EOI. Past the scan header,
 * libjpeg only warns (corrupt entropy data, a marker inside it, data ending early); the caller treats any warning as a
 * reason to let another decoder judge the file. Everything else (progressive, arithmetic-coded, 12-bit, CMYK, RGB
 * without colour transform, several scans) goes to Leptonica's reader as before.
 *
 * <p>The rebuilt stream decodes to the same pixels as the file: the tables, sampling factors, scan order and colour
 * space (which libjpeg infers from the JFIF and Adobe markers and the component ids, all checked here to mean YCbCr
 * or gray) are the file's.
 */
final class PlainJpeg {
    /** libjpeg's limit on either side ({@code JPEG_MAX_DIMENSION}). */
    private static final int MAX_DIMENSION = 65500;
    /** libjpeg's limit on the blocks in one MCU of an interleaved scan ({@code D_MAX_BLOCKS_IN_MCU}). */
    private static final int MAX_BLOCKS_IN_MCU = 10;
    private static final int TABLES = 4;

    private final byte[] header;
    private final byte[] data;
    private final int scanStart;
    private final int scanEnd;

    private PlainJpeg(byte[] header, byte[] data, int scanStart, int scanEnd) {
        this.header = header;
        this.data = data;
        this.scanStart = scanStart;
        this.scanEnd = scanEnd;
    }

    /** The bytes {@link #write} writes. */
    long streamLength() {
        return header.length + (long) (scanEnd - scanStart) + 2;
    }

    /** The rebuilt stream, {@link #streamLength()} bytes, at the start of {@code target}. */
    void write(MemorySegment target) {
        MemorySegment.copy(header, 0, target, ValueLayout.JAVA_BYTE, 0, header.length);
        MemorySegment.copy(data, scanStart, target, ValueLayout.JAVA_BYTE, header.length, scanEnd - scanStart);
        long end = header.length + (long) (scanEnd - scanStart);
        target.set(ValueLayout.JAVA_BYTE, end, (byte) 0xFF);
        target.set(ValueLayout.JAVA_BYTE, end + 1, (byte) 0xD9);
    }

    /** The rebuilt stream as an array (for tests). */
    byte[] stream() {
        byte[] out = new byte[(int) streamLength()];
        write(MemorySegment.ofArray(out));
        return out;
    }

    /**
     * The {@code length} bytes at {@code offset} as a plain JPEG, or null when they are not one (or not a JPEG at all):
     * the caller then uses a decoder that copes with anything.
     */
    static PlainJpeg parse(byte[] data, int offset, int length) {
        int end = offset + length;
        if (length < 4 || u8(data, offset) != 0xFF || u8(data, offset + 1) != 0xD8) return null;
        byte[][] quant = new byte[TABLES][];
        byte[][] dc = new byte[TABLES][];
        byte[][] ac = new byte[TABLES][];
        byte[] restart = null;
        Frame frame = null;
        boolean jfif = false;
        int adobeTransform = -1;
        int at = offset + 2;
        while (true) {
            if (at + 4 > end || u8(data, at) != 0xFF) return null; // libjpeg would skip stray bytes with a warning
            int marker = u8(data, at + 1);
            if (marker == 0xFF) { // a fill byte before the marker
                at++;
                continue;
            }
            int segmentEnd = at + 2 + u16(data, at + 2);
            if (u16(data, at + 2) < 2 || segmentEnd > end) return null;
            int body = at + 4;
            switch (marker) {
                case 0xE0 -> jfif |= isJfif(data, body, segmentEnd);
                case 0xEE -> {
                    if (isAdobe(data, body, segmentEnd)) adobeTransform = u8(data, body + 11);
                }
                case 0xDB -> {
                    if (!readQuantTables(data, body, segmentEnd, quant)) return null;
                }
                case 0xC4 -> {
                    if (!readHuffmanTables(data, body, segmentEnd, dc, ac)) return null;
                }
                case 0xDD -> {
                    if (segmentEnd - body != 2) return null;
                    restart = Arrays.copyOfRange(data, at, segmentEnd);
                }
                case 0xC0, 0xC1 -> {
                    if (frame != null) return null;
                    frame = Frame.read(data, marker, body, segmentEnd);
                    if (frame == null) return null;
                }
                case 0xDA -> {
                    if (frame == null) return null;
                    byte[] scan = frame.scanHeader(data, body, segmentEnd, quant, dc, ac);
                    if (scan == null || !frame.isYCbCrOrGray(jfif, adobeTransform)) return null;
                    return new PlainJpeg(header(quant, dc, ac, restart, frame.header(), scan), data, segmentEnd, end);
                }
                default -> {
                    // Other application segments and comments are skipped by libjpeg; anything else (other frame
                    // types, arithmetic-coding conditions, DNL, restart markers outside a scan, EOI, a second SOI) is
                    // either refused by libjpeg or changes how it decodes.
                    if (!(marker >= 0xE1 && marker <= 0xEF) && marker != 0xFE) return null;
                }
            }
            at = segmentEnd;
        }
    }

    /** libjpeg's test for a JFIF APP0 segment (which makes a 3-component image YCbCr). */
    private static boolean isJfif(byte[] data, int body, int end) {
        return end - body >= 14 && data[body] == 'J' && data[body + 1] == 'F' && data[body + 2] == 'I' && data[body + 3] == 'F' && data[body + 4] == 0;
    }

    /** libjpeg's test for an Adobe APP14 segment (whose transform flag says whether 3 components are YCbCr). */
    private static boolean isAdobe(byte[] data, int body, int end) {
        return end - body >= 12 && data[body] == 'A' && data[body + 1] == 'd' && data[body + 2] == 'o' && data[body + 3] == 'b' && data[body + 4] == 'e';
    }

    /** A DQT segment's tables, each kept whole (precision and index byte, then 64 or 128 bytes); false if malformed. */
    private static boolean readQuantTables(byte[] data, int at, int end, byte[][] quant) {
        while (at < end) {
            int precision = u8(data, at) >> 4;
            int index = u8(data, at) & 15;
            int size = 1 + (precision == 0 ? 64 : 128);
            if (precision > 1 || index >= TABLES || at + size > end) return false;
            quant[index] = Arrays.copyOfRange(data, at, at + size);
            at += size;
        }
        return at == end;
    }

    /**
     * A DHT segment's tables, each kept whole (class and index byte, 16 counts, the symbols); false if malformed or if
     * libjpeg would refuse to build its decoding table: more than 256 codes, codes overflowing their length (libjpeg
     * also refuses a code of all ones), or a DC symbol over 15.
     */
    private static boolean readHuffmanTables(byte[] data, int at, int end, byte[][] dc, byte[][] ac) {
        while (at < end) {
            int tableClass = u8(data, at) >> 4;
            int index = u8(data, at) & 15;
            if (tableClass > 1 || index >= TABLES || at + 17 > end) return false;
            int symbols = 0;
            for (int i = 1; i <= 16; i++) symbols += u8(data, at + i);
            if (symbols == 0 || symbols > 256 || at + 17 + symbols > end) return false;
            long code = 0;
            int remaining = symbols;
            for (int bits = 1; bits <= 16 && remaining > 0; bits++) {
                int count = u8(data, at + bits);
                code += count;
                remaining -= count;
                if (code >= 1L << bits) return false;
                code <<= 1;
            }
            if (tableClass == 0) {
                for (int i = 0; i < symbols; i++) {
                    if (u8(data, at + 17 + i) > 15) return false;
                }
            }
            (tableClass == 0 ? dc : ac)[index] = Arrays.copyOfRange(data, at, at + 17 + symbols);
            at += 17 + symbols;
        }
        return at == end;
    }

    /** A baseline or extended sequential frame header (SOF0, SOF1) that libjpeg accepts, with 1 or 3 components. */
    private record Frame(int marker, int height, int width, int[] ids, int[] h, int[] v, int[] quantTable) {

        static Frame read(byte[] data, int marker, int body, int end) {
            if (end - body < 6) return null;
            int precision = u8(data, body);
            int height = u16(data, body + 1);
            int width = u16(data, body + 3);
            int n = u8(data, body + 5);
            if (precision != 8 || (n != 1 && n != 3) || end - body != 6 + 3 * n) return null;
            if (height < 1 || width < 1 || height > MAX_DIMENSION || width > MAX_DIMENSION) return null;
            int[] ids = new int[n];
            int[] h = new int[n];
            int[] v = new int[n];
            int[] tq = new int[n];
            int hMax = 0;
            int vMax = 0;
            int blocks = 0;
            for (int c = 0; c < n; c++) {
                int at = body + 6 + 3 * c;
                ids[c] = u8(data, at);
                h[c] = u8(data, at + 1) >> 4;
                v[c] = u8(data, at + 1) & 15;
                tq[c] = u8(data, at + 2);
                if (h[c] < 1 || h[c] > 4 || v[c] < 1 || v[c] > 4 || tq[c] >= TABLES) return null;
                for (int d = 0; d < c; d++) {
                    if (ids[d] == ids[c]) return null;
                }
                hMax = Math.max(hMax, h[c]);
                vMax = Math.max(vMax, v[c]);
                blocks += h[c] * v[c];
            }
            // libjpeg's upsampler handles whole ratios only, and an interleaved MCU holds at most 10 blocks.
            for (int c = 0; c < n; c++) {
                if (hMax % h[c] != 0 || vMax % v[c] != 0) return null;
            }
            if (n > 1 && blocks > MAX_BLOCKS_IN_MCU) return null;
            return new Frame(marker, height, width, ids, h, v, tq);
        }

        /** The frame header with components renumbered 1..n. */
        byte[] header() {
            int n = ids.length;
            byte[] out = new byte[10 + 3 * n];
            out[0] = (byte) 0xFF;
            out[1] = (byte) marker;
            put16(out, 2, 8 + 3 * n);
            out[4] = 8;
            put16(out, 5, height);
            put16(out, 7, width);
            out[9] = (byte) n;
            for (int c = 0; c < n; c++) {
                out[10 + 3 * c] = (byte) (c + 1);
                out[11 + 3 * c] = (byte) (h[c] << 4 | v[c]);
                out[12 + 3 * c] = (byte) quantTable[c];
            }
            return out;
        }

        /**
         * The scan header renumbered as {@link #header()}, or null unless it is one sequential scan of every component,
         * each named once, with tables that are defined (libjpeg latches them when the scan starts).
         */
        byte[] scanHeader(byte[] data, int body, int end, byte[][] quant, byte[][] dc, byte[][] ac) {
            int n = ids.length;
            if (end - body != 4 + 2 * n || u8(data, body) != n) return null;
            if (u8(data, body + 1 + 2 * n) != 0 || u8(data, body + 2 + 2 * n) != 63 || u8(data, body + 3 + 2 * n) != 0) return null;
            byte[] out = new byte[8 + 2 * n];
            out[0] = (byte) 0xFF;
            out[1] = (byte) 0xDA;
            put16(out, 2, 6 + 2 * n);
            out[4] = (byte) n;
            boolean[] named = new boolean[n];
            for (int s = 0; s < n; s++) {
                int id = u8(data, body + 1 + 2 * s);
                int tables = u8(data, body + 2 + 2 * s);
                int c = 0;
                while (c < n && ids[c] != id) c++;
                if (c == n || named[c]) return null;
                named[c] = true;
                if ((tables >> 4) >= TABLES || (tables & 15) >= TABLES || dc[tables >> 4] == null || ac[tables & 15] == null) return null;
                if (quant[quantTable[c]] == null) return null;
                out[5 + 2 * s] = (byte) (c + 1);
                out[6 + 2 * s] = (byte) tables;
            }
            out[5 + 2 * n] = 0;
            out[6 + 2 * n] = 63;
            out[7 + 2 * n] = 0;
            return out;
        }

        /**
         * Whether libjpeg reads the file as gray or YCbCr without a warning: one component; or a JFIF file; or an Adobe
         * one with transform 1; or, with neither marker, component ids that are not R, G, B (libjpeg's guess).
         */
        boolean isYCbCrOrGray(boolean jfif, int adobeTransform) {
            if (ids.length == 1 || jfif) return true;
            if (adobeTransform >= 0) return adobeTransform == 1;
            return !(ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B');
        }
    }

    /** SOI, the tables in index order, the restart interval, the frame and scan headers. */
    private static byte[] header(byte[][] quant, byte[][] dc, byte[][] ac, byte[] restart, byte[] frame, byte[] scan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        out.write(0xFF);
        out.write(0xD8);
        for (byte[] table : quant) segment(out, 0xDB, table);
        for (byte[] table : dc) segment(out, 0xC4, table);
        for (byte[] table : ac) segment(out, 0xC4, table);
        if (restart != null) out.writeBytes(restart);
        out.writeBytes(frame);
        out.writeBytes(scan);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] body) {
        if (body == null) return;
        out.write(0xFF);
        out.write(marker);
        out.write((body.length + 2) >> 8);
        out.write((body.length + 2) & 0xFF);
        out.writeBytes(body);
    }

    private static int u8(byte[] data, int at) {
        return data[at] & 0xFF;
    }

    private static int u16(byte[] data, int at) {
        return (u8(data, at) << 8) | u8(data, at + 1);
    }

    private static void put16(byte[] out, int at, int value) {
        out[at] = (byte) (value >> 8);
        out[at + 1] = (byte) value;
    }
}
