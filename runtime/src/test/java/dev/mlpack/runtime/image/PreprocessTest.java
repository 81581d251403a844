package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The formulas of Keras' {@code preprocess_input}; the implementation was also checked bit-exact
 * against Keras 3 on every integer 0..255 and on fractional values.
 */
class PreprocessTest {

    @Test
    void tfScalesToMinusOneToOne() {
        assertArrayEquals(new float[] {-1f, 0f, 1f}, Preprocess.TF.apply(new float[] {0f, 127.5f, 255f}));
    }

    @Test
    void caffeSwapsToBgrAndSubtractsTheImagenetBgrMeans() {
        float[] rgb = {10f, 20f, 30f};
        assertArrayEquals(new float[] {30f - 103.939f, 20f - 116.779f, 10f - 123.68f}, Preprocess.CAFFE.apply(rgb));
    }

    @Test
    void torchScalesTo0To1ThenStandardisesPerChannel() {
        float[] rgb = {255f, 0f, 127.5f};
        float[] expected = {(1f - 0.485f) / 0.229f, (0f - 0.456f) / 0.224f, (0.5f - 0.406f) / 0.225f};
        assertArrayEquals(expected, Preprocess.TORCH.apply(rgb));
        assertEquals(2.2489083f, Preprocess.TORCH.apply(rgb)[0], 1e-6f);
    }

    @Test
    void rawLeavesPixelsUnchanged() {
        assertArrayEquals(new float[] {0f, 12.5f, 255f}, Preprocess.RAW.apply(new float[] {0f, 12.5f, 255f}));
    }

    @Test
    void applyCopiesAndApplyInPlaceDoesNot() {
        float[] x = {255f, 255f, 255f};
        Preprocess.TF.apply(x);
        assertEquals(255f, x[0]);
        assertSame(x, Preprocess.TF.applyInPlace(x));
        assertEquals(1f, x[0]);
    }

    @Test
    void parseAcceptsKerasNamesInAnyCase() {
        assertEquals(Preprocess.TF, Preprocess.parse("tf"));
        assertEquals(Preprocess.CAFFE, Preprocess.parse(" Caffe "));
        assertEquals(Preprocess.TORCH, Preprocess.parse("TORCH"));
        assertEquals(Preprocess.RAW, Preprocess.parse("raw"));
        assertEquals("caffe", Preprocess.CAFFE.kerasName());
    }

    @Test
    void parseRejectsUnknownNamesListingTheValidOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Preprocess.parse("inception"));
        assertEquals("unknown preprocessing 'inception'; expected one of tf, caffe, torch, raw", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Preprocess.parse(null));
    }

    @Test
    void rejectsArraysThatAreNotRgb() {
        assertThrows(IllegalArgumentException.class, () -> Preprocess.TF.apply(new float[4]));
    }
}
