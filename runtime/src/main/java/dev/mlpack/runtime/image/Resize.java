package dev.mlpack.runtime.image;

/**
 * How an image is brought to a model's input size. All methods return float pixels in 0..255,
 * HWC-interleaved ({@code out[(y * width + x) * channels + c]}): RGB for an {@link RgbImage}, one
 * channel for a {@link GrayImage}.
 *
 * <p>{@link #BILINEAR} and {@link #NEAREST} reproduce {@code tf.image.resize(images, [h, w],
 * method=..., antialias=False)}, i.e. TF2's half-pixel-centre sampling, computed in float32 in the
 * same order of operations as TF's CPU kernels, so results agree to float rounding. Neither
 * preserves the aspect ratio, and, as in TF, neither filters when shrinking (no antialiasing).
 */
public enum Resize {
    /**
     * Bilinear interpolation. Output pixel {@code (x, y)} samples the source at {@code ((x + 0.5) *
     * inW / outW - 0.5, ...)}; coordinates outside the image are clamped to the border.
     */
    BILINEAR,
    /**
     * Nearest neighbour: source index {@code min(floor((x + 0.5) * inW / outW), inW - 1)}, as TF's
     * {@code resize_nearest_neighbor(half_pixel_centers=True)}.
     */
    NEAREST,
    /**
     * The classic evaluation transform "resize 256, centre crop 224": scale (bilinear, keeping
     * the aspect ratio) so that the shorter side becomes {@code round(S / 0.875)} with {@code S =
     * max(outH, outW)}, the longer side {@code floor(longer * shorterNew / shorter)} as
     * torchvision does, then cut the centred {@code outH x outW} window (offsets rounded down).
     */
    CROP;

    /** The fraction of the resized shorter side that the centre crop keeps (224 / 256). */
    public static final double CROP_FRACTION = 0.875;

    /** Resizes {@code image} to {@code height x width}; see the constants for what each does. */
    public float[] apply(RgbImage image, int height, int width) {
        return resize(image, height, width);
    }

    /** Like {@link #apply(RgbImage, int, int)} for one channel: {@code height * width} values. */
    public float[] apply(GrayImage image, int height, int width) {
        return resize(image, height, width);
    }

    private float[] resize(EightBitImage source, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        int inH = source.height();
        int inW = source.width();
        float[] out = new float[height * width * source.channels()];
        switch (this) {
            case BILINEAR -> bilinear(source, height, width, 0, 0, height, width, out);
            case NEAREST -> nearest(source, height, width, out);
            case CROP -> {
                int[] size = cropResizeSize(inH, inW, height, width);
                int top = (size[0] - height) / 2;
                int left = (size[1] - width) / 2;
                bilinear(source, size[0], size[1], top, left, height, width, out);
            }
        }
        return out;
    }

    /** Parses "bilinear", "nearest" or "crop", ignoring case. */
    public static Resize parse(String name) {
        for (Resize r : values()) {
            if (r.name().equalsIgnoreCase(name.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown resize method '" + name + "'; expected one of bilinear, nearest, crop");
    }

    /** {resizedHeight, resizedWidth} for {@link #CROP} before the centre crop. */
    static int[] cropResizeSize(int inH, int inW, int outH, int outW) {
        int shortSide = (int) Math.round(Math.max(outH, outW) / CROP_FRACTION);
        if (inH <= inW) {
            long longSide = (long) inW * shortSide / inH;
            return new int[] {shortSide, (int) Math.max(longSide, outW)};
        }
        long longSide = (long) inH * shortSide / inW;
        return new int[] {(int) Math.max(longSide, outH), shortSide};
    }

    /**
     * Bilinear resize of {@code image} to a virtual {@code fullH x fullW} grid, computing only the
     * window starting at {@code (top, left)} of size {@code outH x outW}.
     */
    private static void bilinear(EightBitImage image, int fullH, int fullW, int top, int left, int outH, int outW, float[] out) {
        int inH = image.height();
        int inW = image.width();
        int ch = image.channels();
        byte[] px = image.pixels();
        // TF: scale = in / out in float; src = (dst + 0.5f) * scale - 0.5f; lower = max(floor, 0);
        // upper = min(ceil, in - 1); lerp = src - floor(src) (taken before clamping).
        float scaleY = (float) inH / (float) fullH;
        float scaleX = (float) inW / (float) fullW;
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] xLerp = new float[outW];
        for (int x = 0; x < outW; x++) {
            float src = ((float) (x + left) + 0.5f) * scaleX - 0.5f;
            float floor = (float) Math.floor(src);
            x0[x] = Math.max((int) floor, 0);
            x1[x] = Math.min((int) Math.ceil(src), inW - 1);
            xLerp[x] = src - floor;
        }
        for (int y = 0; y < outH; y++) {
            float src = ((float) (y + top) + 0.5f) * scaleY - 0.5f;
            float floor = (float) Math.floor(src);
            int y0 = Math.max((int) floor, 0);
            int y1 = Math.min((int) Math.ceil(src), inH - 1);
            float yLerp = src - floor;
            int row0 = y0 * inW * ch;
            int row1 = y1 * inW * ch;
            int o = y * outW * ch;
            for (int x = 0; x < outW; x++) {
                int a = x0[x] * ch;
                int b = x1[x] * ch;
                float xl = xLerp[x];
                for (int c = 0; c < ch; c++) {
                    float topLeft = px[row0 + a + c] & 0xFF;
                    float topRight = px[row0 + b + c] & 0xFF;
                    float bottomLeft = px[row1 + a + c] & 0xFF;
                    float bottomRight = px[row1 + b + c] & 0xFF;
                    float topValue = topLeft + (topRight - topLeft) * xl;
                    float bottomValue = bottomLeft + (bottomRight - bottomLeft) * xl;
                    out[o++] = topValue + (bottomValue - topValue) * yLerp;
                }
            }
        }
    }

    private static void nearest(EightBitImage image, int outH, int outW, float[] out) {
        int inH = image.height();
        int inW = image.width();
        int ch = image.channels();
        byte[] px = image.pixels();
        float scaleY = (float) inH / (float) outH;
        float scaleX = (float) inW / (float) outW;
        int[] xs = new int[outW];
        for (int x = 0; x < outW; x++) {
            xs[x] = Math.max(0, Math.min((int) Math.floor(((float) x + 0.5f) * scaleX), inW - 1)) * ch;
        }
        for (int y = 0; y < outH; y++) {
            int sy = Math.max(0, Math.min((int) Math.floor(((float) y + 0.5f) * scaleY), inH - 1));
            int row = sy * inW * ch;
            int o = y * outW * ch;
            for (int x = 0; x < outW; x++) {
                int i = row + xs[x];
                for (int c = 0; c < ch; c++) out[o++] = px[i + c] & 0xFF;
            }
        }
    }
}
