package dev.mlpack.runtime.image;

/**
 * An 8-bit RGB image, pixels stored row-major and interleaved: {@code r,g,b, r,g,b, ...}, row 0
 * first. Immutable: the array is copied in and out.
 */
public final class RgbImage extends EightBitImage {

    /** Takes ownership of {@code rgb} without copying; for code in this package that made it. */
    private RgbImage(int width, int height, byte[] rgb, boolean owned) {
        super(width, height, 3, owned ? rgb : rgb.clone(), "RGB");
    }

    /** An image from interleaved RGB bytes (copied); {@code rgb.length} must be 3 * width * height. */
    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb, false);
    }

    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb, true);
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] rgb() {
        return pixels().clone();
    }

    /** Channel {@code c} (0 = red, 1 = green, 2 = blue) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return pixels()[(y * width() + x) * 3 + c] & 0xFF;
    }

    /** Pixel (x, y) packed as {@code 0xRRGGBB}. */
    public int rgbAt(int x, int y) {
        byte[] rgb = pixels();
        int i = (y * width() + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }
}
