package dev.mlpack.runtime.image;

import dev.mlpack.runtime.tflite.TensorInfo;

/**
 * Everything needed to turn a decoded image into one model input: target size, channels, resize method and
 * pixel normalisation. An immutable value that the optimizer stores with a model and the server
 * reads back, so evaluation and serving prepare images identically.
 *
 * <p>A grayscale input (one channel, Fashion-MNIST and MNIST style) is fed as Keras' {@code
 * color_mode="grayscale"} feeds it: the decoded RGB image becomes its PIL "L" luma ({@link
 * GrayImage#luma}), which is then resized and normalised as one channel.
 *
 * @param height model input height
 * @param width model input width
 * @param resize how to reach that size
 * @param preprocess how to normalise the resized 0..255 pixels
 * @param channels 3 (RGB) or 1 (grayscale)
 */
public record ImagePipeline(int height, int width, Resize resize, Preprocess preprocess, int channels) {

    /**
     * @throws IllegalArgumentException for a non-positive size, a channel count other than 1 and 3, or a
     *     preprocessing that does not work on that many channels ({@link Preprocess#worksOn})
     */
    public ImagePipeline {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
        }
        if (resize == null || preprocess == null) {
            throw new IllegalArgumentException("resize and preprocess must not be null");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image input has 1 (grayscale) or 3 (RGB) channels, not " + channels);
        }
        if (!preprocess.worksOn(channels)) {
            throw new IllegalArgumentException("preprocessing '" + preprocess.kerasName()
                    + "' has per-RGB-channel constants, but the model takes grayscale (1-channel) images: use tf or raw");
        }
    }

    /** An RGB pipeline. */
    public ImagePipeline(int height, int width, Resize resize, Preprocess preprocess) {
        this(height, width, resize, preprocess, 3);
    }

    /**
     * A pipeline for an NHWC image input of shape {@code [1, H, W, C]} (or {@code [H, W, C]}), C = 3 or 1.
     *
     * @throws IllegalArgumentException if the tensor is not such an image, or {@code preprocess} does not work on
     *     its channels
     */
    public static ImagePipeline forInput(TensorInfo input, Resize resize, Preprocess preprocess) {
        int[] s = input.shape();
        boolean batched = s.length == 4 && s[0] == 1;
        int channels = s.length == 0 ? 0 : s[s.length - 1];
        if (!(batched || s.length == 3) || (channels != 3 && channels != 1)) {
            throw new IllegalArgumentException("input " + input + " is not an NHWC image (RGB or grayscale)");
        }
        return new ImagePipeline(s[s.length - 3], s[s.length - 2], resize, preprocess, channels);
    }

    /** {@code [1, height, width, channels]}. */
    public int[] inputShape() {
        return new int[] {1, height, width, channels};
    }

    /** The number of values of one input: {@code height * width * channels}. */
    public int inputLength() {
        return height * width * channels;
    }

    /** Whether the model takes one-channel (grayscale) images. */
    public boolean grayscale() {
        return channels == 1;
    }

    /** Resized and normalised float pixels, NHWC for a batch of one: {@code height * width * channels}. */
    public float[] toFloats(RgbImage image) {
        return normalize(resized(image));
    }

    /**
     * Resized pixels as 0..255 bytes (rounded to nearest, for models with a raw uint8 input). The
     * preprocessing is not applied: a uint8 model takes unnormalised pixels.
     */
    public byte[] toUint8(RgbImage image) {
        return roundToUint8(resized(image));
    }

    /**
     * The image in the input's channels (its luma for a grayscale input) at the input size, 0..255, not
     * normalised: the one step that {@link #toFloats} and {@link #toUint8} share, for callers that feed one
     * image to several models.
     */
    public float[] resized(RgbImage image) {
        return channels == 1 ? resize.apply(GrayImage.luma(image), height, width) : resize.apply(image, height, width);
    }

    /** Normalises {@link #resized} values in place with {@link #preprocess}, and returns them. */
    public float[] normalize(float[] resized) {
        return preprocess.applyInPlace(resized, channels);
    }

    /** Resized 0..255 values as bytes, rounded half up and clamped: the pixels a uint8-input model is fed. */
    public static byte[] roundToUint8(float[] resized) {
        byte[] out = new byte[resized.length];
        for (int i = 0; i < resized.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
        }
        return out;
    }
}
