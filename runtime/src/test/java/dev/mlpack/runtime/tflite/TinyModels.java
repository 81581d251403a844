package dev.mlpack.runtime.tflite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The committed fixtures under {@code src/test/resources/models} (made by make_tiny_models.py)
 * and a plain-Java reference of the network they contain:
 * {@code x[1,4,4,3] -> 1x1 Conv2D (2 filters) + ReLU -> global average pool -> Dense(2)}.
 */
final class TinyModels {
    static final float[][] CONV_W = {{0.5f, -1.0f}, {0.25f, 0.5f}, {-0.5f, 1.0f}}; // [in][out]
    static final float[] CONV_B = {0.1f, -0.2f};
    static final float[][] DENSE_W = {{1.0f, -0.5f}, {0.5f, 2.0f}}; // [in][out]
    static final float[] DENSE_B = {0.25f, -0.25f};
    static final int PIXELS = 16;

    private TinyModels() {}

    static byte[] bytes(String name) {
        try (InputStream in = TinyModels.class.getResourceAsStream("/models/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource models/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ReLU'd 1x1 convolution, [16 pixels][2 channels] flattened like NHWC. */
    static float[] convRelu(float[] image) {
        float[] out = new float[PIXELS * 2];
        for (int p = 0; p < PIXELS; p++) {
            for (int c = 0; c < 2; c++) {
                float s = CONV_B[c];
                for (int i = 0; i < 3; i++) {
                    s += image[p * 3 + i] * CONV_W[i][c];
                }
                out[p * 2 + c] = Math.max(0f, s);
            }
        }
        return out;
    }

    /** The network's logits for one image. */
    static float[] logits(float[] image) {
        float[] h = convRelu(image);
        float[] pooled = new float[2];
        for (int p = 0; p < PIXELS; p++) {
            pooled[0] += h[p * 2] / PIXELS;
            pooled[1] += h[p * 2 + 1] / PIXELS;
        }
        float[] out = new float[2];
        for (int j = 0; j < 2; j++) {
            out[j] = DENSE_B[j] + pooled[0] * DENSE_W[0][j] + pooled[1] * DENSE_W[1][j];
        }
        return out;
    }

    /** A deterministic image with values in [0, 1). */
    static float[] image(int seed) {
        float[] x = new float[PIXELS * 3];
        for (int k = 0; k < x.length; k++) {
            x[k] = ((k * 37 + seed * 11) % 97) / 97f;
        }
        return x;
    }
}
