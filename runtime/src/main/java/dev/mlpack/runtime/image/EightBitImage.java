package dev.mlpack.runtime.image;

import java.util.Arrays;

/**
 * What {@link RgbImage} and {@link GrayImage} share: an immutable 8-bit image of one or three interleaved channels,
 * row-major, row 0 first, compared by content.
 */
abstract class EightBitImage {
    private final int width;
    private final int height;
    private final int channels;
    private final byte[] pixels;

    /** Takes ownership of {@code pixels}, which must hold {@code channels * width * height} bytes. */
    EightBitImage(int width, int height, int channels, byte[] pixels, String layout) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != (long) channels * width * height) {
            throw new IllegalArgumentException("expected " + (long) channels * width * height + " bytes for " + width + "x" + height
                    + " " + layout + ", got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.pixels = pixels;
    }

    public final int width() {
        return width;
    }

    public final int height() {
        return height;
    }

    /** The backing array, not copied; callers in this package must not modify it. */
    final byte[] pixels() {
        return pixels;
    }

    /** Interleaved channels per pixel: 3 for RGB, 1 for gray. */
    final int channels() {
        return channels;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && o instanceof EightBitImage i && width == i.width && height == i.height
                && Arrays.equals(pixels, i.pixels);
    }

    @Override
    public final int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(pixels);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + width + "x" + height + "]";
    }
}
