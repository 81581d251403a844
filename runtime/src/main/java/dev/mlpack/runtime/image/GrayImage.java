package dev.mlpack.runtime.image;

/**
 * An 8-bit single-channel image, row-major, row 0 first: what a grayscale-input model (Fashion-MNIST and MNIST
 * style, input {@code [1, H, W, 1]}) is fed. Immutable: the array is copied out.
 */
public final class GrayImage extends EightBitImage {

    private GrayImage(int width, int height, byte[] luma) {
        super(width, height, 1, luma, "gray");
    }

    /** A gray image from its bytes (copied); {@code luma.length} must be width * height. */
    public static GrayImage of(int width, int height, byte[] luma) {
        return new GrayImage(width, height, luma.clone());
    }

    /**
     * The luma of an RGB image exactly as PIL's {@code Image.convert("L")} computes it, which is what Keras'
     * {@code load_img(color_mode="grayscale")} feeds a model: ITU-R 601-2, {@code L = R * 299/1000 + G * 587/1000 + B
     * * 114/1000}, in PIL's 16-bit fixed point {@code (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16}. A gray
     * image decoded to RGB (R = G = B) comes back unchanged.
     */
    public static GrayImage luma(RgbImage rgb) {
        byte[] px = rgb.pixels();
        byte[] out = new byte[rgb.width() * rgb.height()];
        for (int i = 0, p = 0; i < out.length; i++, p += 3) out[i] = luma(px[p] & 0xFF, px[p + 1] & 0xFF, px[p + 2] & 0xFF);
        return new GrayImage(rgb.width(), rgb.height(), out);
    }

    /** One pixel's luma, as {@link #luma(RgbImage)} computes it. */
    static byte luma(int r, int g, int b) {
        return (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
    }

    /** Pixel (x, y), 0..255. */
    public int sample(int x, int y) {
        return pixels()[y * width() + x] & 0xFF;
    }

    /** A copy of the bytes. */
    public byte[] luma() {
        return pixels().clone();
    }
}
