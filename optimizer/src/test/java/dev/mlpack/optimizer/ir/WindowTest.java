package dev.mlpack.optimizer.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Sliding-window geometry as TensorFlow lays it out, and how often each kernel tap reads padding. */
class WindowTest {
    @Test
    void sameKeepsTheLengthAndValidDropsTheBorder() {
        assertEquals(7, Window.outputLength(7, 3, 1, 1, Padding.SAME));
        assertEquals(5, Window.outputLength(7, 3, 1, 1, Padding.VALID));
        assertEquals(4, Window.outputLength(7, 3, 2, 1, Padding.SAME));
        assertEquals(1, Window.outputLength(7, 3, 1, 3, Padding.VALID), "dilation 3 widens a 3-tap kernel to 7");
    }

    @Test
    void sameSplitsPaddingWithTheOddOneAfter() {
        assertEquals(1, Window.paddingBefore(7, 3, 1, 1, Padding.SAME));
        assertEquals(0, Window.paddingBefore(4, 3, 2, 1, Padding.SAME), "one padding row in all, after the input");
        assertEquals(0, Window.paddingBefore(7, 3, 1, 1, Padding.VALID));
    }

    /** On a 3-wide input, the outer taps of a SAME 3-tap kernel read padding at one output position in three. */
    @Test
    void outerTapsOfASameKernelReadPaddingAtTheBorders() {
        assertArrayEquals(new double[] {2 / 3.0, 1, 2 / 3.0}, Window.tapCoverage(3, 3, 1, 1, Padding.SAME), 1e-12);
        assertArrayEquals(new double[] {1, 1, 0.5}, Window.tapCoverage(4, 3, 2, 1, Padding.SAME), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1}, Window.tapCoverage(3, 3, 1, 1, Padding.VALID), 1e-12);
        assertArrayEquals(new double[] {1}, Window.tapCoverage(5, 1, 1, 1, Padding.SAME), 1e-12);
    }
}
