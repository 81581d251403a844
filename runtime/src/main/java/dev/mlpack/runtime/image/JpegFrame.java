package dev.mlpack.runtime.image;

/**
 * A JPEG's frame header (SOF): its size and number of colour components, read by walking the marker segments up to
 * the first SOF, without decoding anything.
 */
record JpegFrame(int width, int height, int components) {

    /** The frame header of {@code data}, or null when it is not a JPEG or has no readable SOF before its scan data. */
    static JpegFrame read(byte[] data) {
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) return null;
        int at = 2;
        while (at + 4 <= data.length) {
            if ((data[at] & 0xFF) != 0xFF) return null;
            int marker = data[at + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte before a marker
                at++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) return null; // end of image, or scan data before any frame header
            int length = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
            if (length < 2) return null;
            if (isStartOfFrame(marker)) {
                if (length < 8 || at + 2 + length > data.length) return null;
                int height = ((data[at + 5] & 0xFF) << 8) | (data[at + 6] & 0xFF);
                int width = ((data[at + 7] & 0xFF) << 8) | (data[at + 8] & 0xFF);
                int components = data[at + 9] & 0xFF;
                return height > 0 && width > 0 ? new JpegFrame(width, height, components) : null;
            }
            at += 2 + length;
        }
        return null;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
