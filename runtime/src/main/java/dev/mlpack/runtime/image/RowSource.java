package dev.mlpack.runtime.image;

/**
 * An RGB image read from the top down, for {@link Resize}: its rows are asked for in non-decreasing order, and a row
 * stays readable until a row two or more below it is asked for. That is all a resize needs (every output row
 * interpolates two adjacent source rows), so a streaming decoder can feed it while holding two rows instead of the
 * whole image. Pixels are {@link #pixelStride()} bytes apart with red, green and blue at {@link #channels()}, so that a
 * decoder's own layout (e.g. Leptonica's 32-bit words) is read as it is, without an RGB copy.
 */
interface RowSource {
    /** Interleaved RGB. */
    int[] RGB = {0, 1, 2};

    int width();

    int height();

    /** Bytes from one pixel to the next. */
    default int pixelStride() { return 3; }

    /** Where red, green and blue are within a pixel. */
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
    static RowSource of(RgbImage image) {
        byte[] pixels = image.pixels();
        int stride = 3 * image.width();
        return new RowSource() {
            @Override
            public int width() { return image.width(); }

            @Override
            public int height() { return image.height(); }

            @Override
            public byte[] row(int y) { return pixels; }

            @Override
            public int offset(int y) { return y * stride; }
        };
    }
}
