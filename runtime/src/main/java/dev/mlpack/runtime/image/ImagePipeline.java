package dev.mlpack.runtime.image;

import dev.mlpack.runtime.tflite.TensorInfo;

/**
 * Everything needed to turn a decoded image into one model input: target size, resize method and
 * pixel normalisation. An immutable value that the optimizer stores with a model and the server
 * reads back, so evaluation and serving prepare images identically.
 *
 * @param height model input height
 * @param width model input width
 * @param resize how to reach that size
 * @param preprocess how to normalise the resized 0..255 pixels
 */
public record ImagePipeline(int height, int width, Resize resize, Preprocess preprocess) {

    public ImagePipeline {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
        }
        if (resize == null || preprocess == null) {
            throw new IllegalArgumentException("resize and preprocess must not be null");
        }
    }

    /**
     * A pipeline for an NHWC image input of shape {@code [1, H, W, 3]} (or {@code [H, W, 3]}).
     *
     * @throws IllegalArgumentException if the tensor is not a 3-channel image
     */
    public static ImagePipeline forInput(TensorInfo input, Resize resize, Preprocess preprocess) {
        int[] s = input.shape();
        boolean batched = s.length == 4 && s[0] == 1;
        if (!(batched || s.length == 3) || s[s.length - 1] != 3) {
            throw new IllegalArgumentException("input " + input + " is not an NHWC RGB image");
        }
        return new ImagePipeline(s[s.length - 3], s[s.length - 2], resize, preprocess);
    }

    /** {@code [1, height, width, 3]}. */
    public int[] inputShape() {
        return new int[] {1, height, width, 3};
    }

    /** Resized and normalised float pixels, NHWC for a batch of one: {@code height * width * 3}. */
    public float[] toFloats(RgbImage image) {
        return preprocess.applyInPlace(resize.apply(image, height, width));
    }

    /**
     * Resized pixels as 0..255 bytes (rounded to nearest, for models with a raw uint8 input). The
     * preprocessing is not applied: a uint8 model takes unnormalised pixels.
     */
    public byte[] toUint8(RgbImage image) {
        return roundToUint8(resize.apply(image, height, width));
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
