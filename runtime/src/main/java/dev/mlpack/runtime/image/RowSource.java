package dev.mlpack.runtime.image;

/**
 * An RGB or gray image read from the top down, for {@link Resize}: its rows are asked for in non-decreasing order, and
 * a row stays readable until a row two or more below it is asked for. That is all a resize needs (every output row
 * interpolates two adjacent source rows), so a streaming decoder can feed it while holding two rows instead of the
 * whole image. Pixels are {@link #pixelStride()} bytes apart with red, green and blue (or the one gray value) at
 * {@link #channels()}, so that a decoder's own layout (e.g. Leptonica's 32-bit words) is read as it is, without a copy.
 */
interface RowSource {
    /** Interleaved RGB. */
    int[] RGB = {0, 1, 2};
    /** One channel. */
    int[] GRAY = {0};
    /** One gray value read as red, green and blue: a decoder's gray rows as an RGB source. */
    int[] GRAY_AS_RGB = {0, 0, 0};

    int width();

    int height();

    /** Bytes from one pixel to the next. */
    default int pixelStride() { return 3; }

    /** Where red, green and blue are within a pixel, or where its one gray value is: the output's channels. */
    default int[] channels() { return RGB; }

    /**
     * The array holding row {@code y}, starting at {@link #offset(int)}.
     *
     * @throws ImageDecodeException when a streaming source finds the data corrupt while reading up to that row
     */
    byte[] row(int y) throws ImageDecodeException;

    /** Where row {@code y} starts in the array {@link #row(int)} returned for it. */
    int offset(int y);

    /** A decoded image as a source: its rows are slices of its own array, nothing is copied. */
    static RowSource of(EightBitImage image) {
        byte[] pixels = image.pixels();
        int channels = image.channels();
        int stride = channels * image.width();
        return new RowSource() {
            @Override
            public int width() { return image.width(); }

            @Override
            public int height() { return image.height(); }

            @Override
            public int pixelStride() { return channels; }

            @Override
            public int[] channels() { return channels == 1 ? GRAY : RGB; }

            @Override
            public byte[] row(int y) { return pixels; }

            @Override
            public int offset(int y) { return y * stride; }
        };
    }

    /**
     * An RGB source's luma ({@link GrayImage#luma}, PIL's "L"), row by row as rows are asked for: what a grayscale
     * input is fed, without the whole gray image in memory.
     */
    static RowSource luma(RowSource rgb) {
        int w = rgb.width();
        int stride = rgb.pixelStride();
        int[] ch = rgb.channels();
        byte[][] ring = {new byte[w], new byte[w]};
        int[] held = {-1, -1};
        return new RowSource() {
            @Override
            public int width() { return w; }

            @Override
            public int height() { return rgb.height(); }

            @Override
            public int pixelStride() { return 1; }

            @Override
            public int[] channels() { return GRAY; }

            @Override
            public byte[] row(int y) throws ImageDecodeException {
                int s = y & 1;
                if (held[s] != y) {
                    byte[] px = rgb.row(y);
                    byte[] out = ring[s];
                    for (int x = 0, i = rgb.offset(y); x < w; x++, i += stride) {
                        out[x] = GrayImage.luma(px[i + ch[0]] & 0xFF, px[i + ch[1]] & 0xFF, px[i + ch[2]] & 0xFF);
                    }
                    held[s] = y;
                }
                return ring[s];
            }

            @Override
            public int offset(int y) { return 0; }
        };
    }
}
