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
        return applyDecoded(image, height, width);
    }

    /** Like {@link #apply(RgbImage, int, int)} for one channel: {@code height * width} values. */
    public float[] apply(GrayImage image, int height, int width) {
        return applyDecoded(image, height, width);
    }

    private float[] applyDecoded(EightBitImage image, int height, int width) {
        try {
            return apply(RowSource.of(image), height, width);
        } catch (ImageDecodeException e) {
            throw new IllegalStateException("a decoded image cannot fail to read", e);
        }
    }

    /**
     * Resizes a source read from the top down: the same values as {@link #apply(RgbImage, int, int)} on the decoded
     * image, for a streaming decoder that never holds the whole image.
     */
    float[] apply(RowSource image, int height, int width) throws ImageDecodeException {
        float[] out = new float[checkedSize(height, width, image.channels().length)];
        resize(image, height, width, out, null);
        return out;
    }

    /**
     * Like {@link #apply(RowSource, int, int)} rounded to bytes as {@link ImagePipeline#roundToUint8} rounds it, in the
     * same pass: what a raw-pixel (uint8) model takes, without the float image in between.
     */
    byte[] applyRounded(RowSource image, int height, int width) throws ImageDecodeException {
        if (this == NEAREST) return ImagePipeline.roundToUint8(apply(image, height, width)); // whole pixels already
        byte[] out = new byte[checkedSize(height, width, image.channels().length)];
        resize(image, height, width, null, out);
        return out;
    }

    private static int checkedSize(int height, int width, int channels) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        return height * width * channels;
    }

    /** Into {@code floats}, or rounded into {@code bytes} (one of them null; bytes only for the bilinear methods). */
    private void resize(RowSource image, int height, int width, float[] floats, byte[] bytes) throws ImageDecodeException {
        switch (this) {
            case BILINEAR -> bilinear(image, height, width, 0, 0, height, width, floats, bytes);
            case NEAREST -> nearest(image, height, width, floats);
            case CROP -> {
                int[] size = cropResizeSize(image.height(), image.width(), height, width);
                int top = (size[0] - height) / 2;
                int left = (size[1] - width) / 2;
                bilinear(image, size[0], size[1], top, left, height, width, floats, bytes);
            }
        }
    }

    /**
     * The smallest {@code (height, width)} an image may be shrunk to before this resize to {@code outH x outW} without
     * the resize having to enlarge it: the output size for {@link #BILINEAR} and {@link #NEAREST}; for {@link #CROP},
     * the shorter side it scales to (both sides, since either may be the shorter).
     */
    public int[] minimumSourceSize(int outH, int outW) {
        if (this == CROP) {
            int shortSide = (int) Math.round(Math.max(outH, outW) / CROP_FRACTION);
            return new int[] {shortSide, shortSide};
        }
        return new int[] {outH, outW};
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
    private static void bilinear(RowSource image, int fullH, int fullW, int top, int left, int outH, int outW, float[] floats,
            byte[] bytes) throws ImageDecodeException {
        int inH = image.height();
        int inW = image.width();
        int stride = image.pixelStride();
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
            x0[x] = Math.max((int) floor, 0) * stride;
            x1[x] = Math.min((int) Math.ceil(src), inW - 1) * stride;
            xLerp[x] = src - floor;
        }
        // Each source row is interpolated across once, into one of two slots, and each output row is the vertical
        // interpolation of two such rows: TF's arithmetic, in its order (top = left + (right - left) * xLerp, then
        // top + (bottom - top) * yLerp), so the values are the same bit for bit, at a third of the operations.
        HorizontalRows rows = new HorizontalRows(image, x0, x1, xLerp);
        for (int y = 0; y < outH; y++) {
            float src = ((float) (y + top) + 0.5f) * scaleY - 0.5f;
            float floor = (float) Math.floor(src);
            int y0 = Math.max((int) floor, 0);
            int y1 = Math.min((int) Math.ceil(src), inH - 1);
            float yLerp = src - floor;
            float[] upper = rows.get(y0, y1);
            float[] lower = rows.get(y1, y0);
            int n = upper.length;
            int o = y * n;
            if (floats != null) {
                for (int i = 0; i < n; i++) {
                    float t = upper[i];
                    floats[o + i] = t + (lower[i] - t) * yLerp;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float t = upper[i];
                    // roundToByte, written out: this loop runs under C1 before C2 compiles it, and C1 inlines no call here.
                    int r = (int) ((double) (t + (lower[i] - t) * yLerp) + 0.5);
                    bytes[o + i] = (byte) (r > 255 ? 255 : r);
                }
            }
        }
    }

    /**
     * {@code Math.round(v)} clamped to 255, for the values from -0.5 up that an interpolation of bytes gives: the float
     * widened to a double plus one half is exact (a float has 24 significant bits, a double 53), so its truncation is
     * {@code floor(v + 1/2)}, which is how {@code Math.round} is defined, without {@code Math.round}'s call: C1, which
     * runs the resize until C2 compiles it (and alone under -XX:TieredStopAtLevel=1), does not inline it (measured:
     * 1.3 ms a 224 x 224 image with it). The bilinear loop writes the same out.
     */
    static byte roundToByte(float v) {
        int r = (int) ((double) v + 0.5);
        return (byte) (r > 255 ? 255 : r);
    }

    /** Two source rows interpolated horizontally to the output width, kept for the output rows that need them again. */
    private static final class HorizontalRows {
        private final RowSource image;
        private final int[] x0;
        private final int[] x1;
        private final float[] xLerp;
        private final int[] channels;
        private final float[][] slot;
        private final int[] held = {-1, -1};

        HorizontalRows(RowSource image, int[] x0, int[] x1, float[] xLerp) {
            this.image = image;
            this.x0 = x0;
            this.x1 = x1;
            this.xLerp = xLerp;
            this.channels = image.channels();
            this.slot = new float[][] {new float[channels.length * x0.length], new float[channels.length * x0.length]};
        }

        /** Source row {@code y} interpolated across, computed unless held, in the slot not holding {@code keep}. */
        float[] get(int y, int keep) throws ImageDecodeException {
            if (held[0] == y) return slot[0];
            if (held[1] == y) return slot[1];
            int s = held[0] == keep && keep != y ? 1 : 0;
            byte[] px = image.row(y);
            int base = image.offset(y);
            float[] dst = slot[s];
            if (channels.length == 1) {
                int k = channels[0];
                for (int x = 0; x < x0.length; x++) {
                    float left = px[base + x0[x] + k] & 0xFF;
                    dst[x] = left + ((px[base + x1[x] + k] & 0xFF) - left) * xLerp[x];
                }
            } else {
                // Locals, not fields, and the channel offsets folded into the row's base: C1, which runs this loop until
                // C2 compiles it, keeps neither in registers across iterations by itself.
                int[] from = x0;
                int[] to = x1;
                float[] lerp = xLerp;
                int n = from.length;
                int r = base + channels[0];
                int g = base + channels[1];
                int b = base + channels[2];
                for (int x = 0, o = 0; x < n; x++, o += 3) {
                    int a = from[x];
                    int c = to[x];
                    float xl = lerp[x];
                    int left = px[a + r] & 0xFF;
                    dst[o] = left + ((px[c + r] & 0xFF) - left) * xl;
                    left = px[a + g] & 0xFF;
                    dst[o + 1] = left + ((px[c + g] & 0xFF) - left) * xl;
                    left = px[a + b] & 0xFF;
                    dst[o + 2] = left + ((px[c + b] & 0xFF) - left) * xl;
                }
            }
            held[s] = y;
            return dst;
        }
    }

    private static void nearest(RowSource image, int outH, int outW, float[] out) throws ImageDecodeException {
        int inH = image.height();
        int inW = image.width();
        int stride = image.pixelStride();
        int[] ch = image.channels();
        float scaleY = (float) inH / (float) outH;
        float scaleX = (float) inW / (float) outW;
        int[] xs = new int[outW];
        for (int x = 0; x < outW; x++) {
            xs[x] = Math.max(0, Math.min((int) Math.floor(((float) x + 0.5f) * scaleX), inW - 1)) * stride;
        }
        for (int y = 0; y < outH; y++) {
            int sy = Math.max(0, Math.min((int) Math.floor(((float) y + 0.5f) * scaleY), inH - 1));
            byte[] px = image.row(sy);
            int row = image.offset(sy);
            int o = y * outW * ch.length;
            for (int x = 0; x < outW; x++) {
                int i = row + xs[x];
                for (int c : ch) out[o++] = px[i + c] & 0xFF;
            }
        }
    }
}
