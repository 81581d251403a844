package dev.mlpack.runtime.tflite;

import java.util.Arrays;

/**
 * Affine quantization parameters of a tensor: {@code real = scale * (q - zeroPoint)}.
 *
 * <p>Activations (model inputs, outputs and intermediate tensors) are always quantized per
 * tensor, with exactly one scale and zero point. Weights of int8 convolutions are usually
 * quantized per channel along {@link #quantizedDimension()}; then there is one scale and zero
 * point per channel. A float tensor has {@link #NONE}.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class Quantization {

    /** Not quantized (float, or integer tensors holding plain integers such as indices). */
    public static final Quantization NONE = new Quantization(new float[0], new int[0], 0);

    private final float[] scales;
    private final int[] zeroPoints;
    private final int quantizedDimension;

    public Quantization(float[] scales, int[] zeroPoints, int quantizedDimension) {
        if (scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(
                    "scales and zero points differ in length: " + scales.length + " vs " + zeroPoints.length);
        }
        this.scales = scales.clone();
        this.zeroPoints = zeroPoints.clone();
        this.quantizedDimension = quantizedDimension;
    }

    /** Per-tensor parameters. */
    public static Quantization perTensor(float scale, int zeroPoint) {
        return new Quantization(new float[] {scale}, new int[] {zeroPoint}, 0);
    }

    /** True if values must be dequantized to get real numbers. */
    public boolean isQuantized() {
        return scales.length > 0;
    }

    public boolean isPerChannel() {
        return scales.length > 1;
    }

    /**
     * The single scale of a per-tensor quantized tensor.
     *
     * @throws IllegalStateException if the tensor is not quantized or is quantized per channel
     */
    public float scale() {
        requirePerTensor();
        return scales[0];
    }

    /** The single zero point of a per-tensor quantized tensor; see {@link #scale()}. */
    public int zeroPoint() {
        requirePerTensor();
        return zeroPoints[0];
    }

    public float[] scales() {
        return scales.clone();
    }

    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    /** The axis that {@link #scales()} runs along (only meaningful when per channel). */
    public int quantizedDimension() {
        return quantizedDimension;
    }

    /** Number of (scale, zero point) pairs: 0 if not quantized, 1 if per tensor. */
    public int channelCount() {
        return scales.length;
    }

    float scaleAt(int channel) {
        return scales[channel];
    }

    int zeroPointAt(int channel) {
        return zeroPoints[channel];
    }

    private void requirePerTensor() {
        if (scales.length != 1) {
            throw new IllegalStateException(scales.length == 0
                    ? "tensor is not quantized"
                    : "tensor is quantized per channel (" + scales.length + " scales); use scales()");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantization q
                && quantizedDimension == q.quantizedDimension
                && Arrays.equals(scales, q.scales)
                && Arrays.equals(zeroPoints, q.zeroPoints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + quantizedDimension;
    }

    @Override
    public String toString() {
        if (scales.length == 0) {
            return "none";
        }
        if (scales.length == 1) {
            return "scale=" + scales[0] + " zeroPoint=" + zeroPoints[0];
        }
        return "perChannel(axis=" + quantizedDimension + ", " + scales.length + " channels)";
    }
}
