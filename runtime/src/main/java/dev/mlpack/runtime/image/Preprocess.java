package dev.mlpack.runtime.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Pixel normalisation, identical to Keras' {@code imagenet_utils.preprocess_input(x, mode=...)}
 * on float32 RGB input in 0..255 (the same float32 operations in the same order, so results match
 * bit for bit):
 *
 * <ul>
 *   <li>{@link #TF}: {@code x / 127.5 - 1}, to -1..1 (MobileNet, EfficientNetV2 with
 *       preprocessing off, Inception, Xception);
 *   <li>{@link #CAFFE}: RGB to BGR, then subtract the ImageNet BGR means {@code [103.939, 116.779,
 *       123.68]}, no scaling (VGG, ResNet v1);
 *   <li>{@link #TORCH}: {@code x / 255}, then {@code (x - [0.485, 0.456, 0.406]) / [0.229, 0.224,
 *       0.225]} per RGB channel (DenseNet);
 *   <li>{@link #RAW}: unchanged 0..255 (models that normalise inside the graph, e.g.
 *       EfficientNet, ConvNeXt).
 * </ul>
 *
 * <p>{@link #TF} and {@link #RAW} treat every value alike, so they also apply to a grayscale
 * (one-channel) input; {@link #CAFFE} and {@link #TORCH} have per-RGB-channel constants and do not
 * (see {@link #worksOn(int)}).
 */
public enum Preprocess {
    TF,
    CAFFE,
    TORCH,
    RAW;

    private static final float[] CAFFE_BGR_MEAN = {103.939f, 116.779f, 123.68f};
    private static final float[] TORCH_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] TORCH_STD = {0.229f, 0.224f, 0.225f};

    /**
     * Normalises HWC-interleaved RGB floats in place (for {@link #CAFFE} the channel order
     * becomes BGR) and returns the same array.
     *
     * @throws IllegalArgumentException if the length is not a multiple of 3
     */
    public float[] applyInPlace(float[] hwc) {
        return applyInPlace(hwc, 3);
    }

    /**
     * Whether this mode applies to an input of {@code channels} channels: every mode to RGB (3),
     * only the per-value modes {@link #TF} and {@link #RAW} to grayscale (1).
     */
    public boolean worksOn(int channels) {
        return channels == 3 || (channels == 1 && (this == TF || this == RAW));
    }

    /**
     * Like {@link #applyInPlace(float[])} for HWC-interleaved values of {@code channels} channels
     * (3: RGB; 1: grayscale, {@link #TF} and {@link #RAW} only).
     *
     * @throws IllegalArgumentException if the mode does not work on that many channels (see {@link
     *     #worksOn}), or the length is not a multiple of {@code channels}
     */
    public float[] applyInPlace(float[] hwc, int channels) {
        if (!worksOn(channels)) {
            throw new IllegalArgumentException(channels == 1
                    ? "preprocessing '" + kerasName() + "' has per-RGB-channel constants; a grayscale input takes tf or raw"
                    : "preprocessing works on 1 (grayscale) or 3 (RGB) channels, not " + channels);
        }
        if (hwc.length % channels != 0) {
            throw new IllegalArgumentException("expected interleaved " + (channels == 3 ? "RGB" : channels + "-channel values")
                    + ", got " + hwc.length + " values");
        }
        switch (this) {
            case TF -> {
                for (int i = 0; i < hwc.length; i++) {
                    hwc[i] = hwc[i] / 127.5f - 1f;
                }
            }
            case CAFFE -> {
                for (int i = 0; i < hwc.length; i += 3) {
                    float r = hwc[i];
                    hwc[i] = hwc[i + 2] - CAFFE_BGR_MEAN[0];
                    hwc[i + 1] = hwc[i + 1] - CAFFE_BGR_MEAN[1];
                    hwc[i + 2] = r - CAFFE_BGR_MEAN[2];
                }
            }
            case TORCH -> {
                for (int i = 0; i < hwc.length; i += 3) {
                    for (int c = 0; c < 3; c++) {
                        hwc[i + c] = (hwc[i + c] / 255f - TORCH_MEAN[c]) / TORCH_STD[c];
                    }
                }
            }
            case RAW -> {
                // already 0..255
            }
        }
        return hwc;
    }

    /** Like {@link #applyInPlace(float[])} on a copy. */
    public float[] apply(float[] hwc) {
        return applyInPlace(hwc.clone());
    }

    /** Like {@link #applyInPlace(float[], int)} on a copy. */
    public float[] apply(float[] hwc, int channels) {
        return applyInPlace(hwc.clone(), channels);
    }

    /** The lower-case name Keras uses ("tf", "caffe", "torch") or "raw". */
    public String kerasName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a mode name, ignoring case and surrounding spaces.
     *
     * @throws IllegalArgumentException naming the valid modes
     */
    public static Preprocess parse(String name) {
        if (name != null) {
            for (Preprocess p : values()) {
                if (p.name().equalsIgnoreCase(name.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown preprocessing '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Preprocess::kerasName).collect(Collectors.joining(", ")));
    }
}
