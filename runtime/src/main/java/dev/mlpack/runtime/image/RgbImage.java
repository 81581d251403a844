package dev.mlpack.runtime.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, pixels stored row-major and interleaved: {@code r,g,b, r,g,b, ...}, row 0
 * first. Immutable: the array is copied in and out.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Takes ownership of {@code rgb} without copying; for code in this package that made it. */
    private RgbImage(int width, int height, byte[] rgb, boolean owned) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("expected " + 3L * width * height + " bytes for "
                    + width + "x" + height + " RGB, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = owned ? rgb : rgb.clone();
    }

    /** An image from interleaved RGB bytes (copied); {@code rgb.length} must be 3 * width * height. */
    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb, false);
    }

    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb, true);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** Channel {@code c} (0 = red, 1 = green, 2 = blue) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Pixel (x, y) packed as {@code 0xRRGGBB}. */
    public int rgbAt(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }

    /** The backing array, not copied; callers in this package must not modify it. */
    byte[] pixels() {
        return rgb;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage i && width == i.width && height == i.height && Arrays.equals(rgb, i.rgb);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
