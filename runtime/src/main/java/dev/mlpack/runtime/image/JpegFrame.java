package dev.mlpack.runtime.image;

/**
 * A JPEG's frame header (SOF): its size, colour components, their sampling factors and whether it is progressive, read
 * by walking the marker segments up to the first SOF, without decoding anything.
 *
 * @param width image width
 * @param height image height
 * @param components colour components (1 gray, 3 YCbCr or RGB, 4 CMYK or YCCK)
 * @param progressive a progressive (SOF2, SOF6, SOF10, SOF14) frame, or a sequential one whose first scan leaves
 *     components for later scans: either way libjpeg buffers the whole image's coefficients
 * @param samplingSum the sum over components of {@code (h * v) / (hmax * vmax)}: the share of the full-size planes
 *     the components' samples fill (3 for 4:4:4, 1.5 for 4:2:0), times 1000 so that it stays an integer
 */
record JpegFrame(int width, int height, int components, boolean progressive, int samplingSum) {

    /** The frame header of {@code data}, or null when it is not a JPEG or has no readable SOF before its scan data. */
    static JpegFrame read(byte[] data) {
        return read(data, 0, data.length);
    }

    /** Like {@link #read(byte[])} for the {@code length} bytes at {@code offset}. */
    static JpegFrame read(byte[] data, int offset, int length) {
        int end = offset + length;
        if (length < 4 || (data[offset] & 0xFF) != 0xFF || (data[offset + 1] & 0xFF) != 0xD8) return null;
        int at = offset + 2;
        while (at + 4 <= end) {
            if ((data[at] & 0xFF) != 0xFF) return null;
            int marker = data[at + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte before a marker
                at++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) return null; // end of image, or scan data before any frame header
            int segment = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
            if (segment < 2) return null;
            if (isStartOfFrame(marker)) {
                if (segment < 8 || at + 2 + segment > end) return null;
                int height = ((data[at + 5] & 0xFF) << 8) | (data[at + 6] & 0xFF);
                int width = ((data[at + 7] & 0xFF) << 8) | (data[at + 8] & 0xFF);
                int components = data[at + 9] & 0xFF;
                if (height <= 0 || width <= 0 || segment < 8 + 3 * components) return null;
                int hMax = 1;
                int vMax = 1;
                for (int c = 0; c < components; c++) {
                    int sampling = data[at + 11 + 3 * c] & 0xFF;
                    hMax = Math.max(hMax, sampling >> 4);
                    vMax = Math.max(vMax, sampling & 15);
                }
                int sum = 0;
                for (int c = 0; c < components; c++) {
                    int sampling = data[at + 11 + 3 * c] & 0xFF;
                    sum += 1000 * Math.max(1, sampling >> 4) * Math.max(1, sampling & 15) / (hMax * vMax);
                }
                boolean progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
                        || firstScanComponents(data, at + 2 + segment, end) < components;
                return new JpegFrame(width, height, components, progressive, sum);
            }
            at += 2 + segment;
        }
        return null;
    }

    /** The component count of the first scan header (SOS) after {@code at}, or {@code Integer.MAX_VALUE} if none is found. */
    private static int firstScanComponents(byte[] data, int at, int end) {
        while (at + 5 <= end && (data[at] & 0xFF) == 0xFF) {
            int marker = data[at + 1] & 0xFF;
            if (marker == 0xFF) {
                at++;
                continue;
            }
            if (marker == 0xDA) return data[at + 4] & 0xFF;
            int segment = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
            if (segment < 2) break;
            at += 2 + segment;
        }
        return Integer.MAX_VALUE;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /**
     * The bytes a libjpeg decoder holds for the whole image besides its output: a progressive file keeps every DCT
     * coefficient of every component until the last scan (2 bytes each); a sequential one decodes a row of blocks at a
     * time, a few rows of the width.
     */
    long coefficientBytes() {
        long pixels = (long) width * height;
        return progressive ? pixels * 2 * samplingSum / 1000 : 64L * width * Math.max(1, components);
    }
}
