package dev.mlpack.runtime.image;

/**
 * A decoded image in a decoder's own layout: rows {@code rowBytes} apart, pixels {@code pixelStride} bytes apart, red,
 * green and blue at {@code channels}. Read as it is by {@link Resize}, without the copy to interleaved RGB that an
 * {@link RgbImage} would take.
 */
record DecodedRows(int width, int height, byte[] data, int rowBytes, int pixelStride, int[] channels) implements RowSource {

    @Override
    public byte[] row(int y) { return data; }

    @Override
    public int offset(int y) { return y * rowBytes; }

    /** As interleaved RGB. */
    RgbImage toRgbImage() {
        byte[] rgb = new byte[3 * width * height];
        int o = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0, i = y * rowBytes; x < width; x++, i += pixelStride) {
                rgb[o++] = data[i + channels[0]];
                rgb[o++] = data[i + channels[1]];
                rgb[o++] = data[i + channels[2]];
            }
        }
        return RgbImage.wrap(width, height, rgb);
    }
}
