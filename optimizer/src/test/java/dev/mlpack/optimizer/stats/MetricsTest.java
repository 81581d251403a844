package dev.mlpack.optimizer.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void wilsonMatchesKnownValues() {
        // statsmodels proportion_confint(5, 10, method="wilson") = (0.2366, 0.7634)
        assertArrayEquals(new double[] {0.236593, 0.763407}, Metrics.wilson95(5, 10), 1e-6);
        // proportion_confint(0, 10, method="wilson") = (0.0, 0.2775)
        assertArrayEquals(new double[] {0.0, 0.277533}, Metrics.wilson95(0, 10), 1e-6);
        assertArrayEquals(new double[] {0.722467, 1.0}, Metrics.wilson95(10, 10), 1e-6);
        // the sample model's 259/300, from Wilson's formula evaluated independently in Python
        assertArrayEquals(new double[] {0.819845, 0.897635}, Metrics.wilson95(259, 300), 1e-6);
        assertArrayEquals(new double[] {0, 1}, Metrics.wilson95(0, 0), 0);
        assertThrows(IllegalArgumentException.class, () -> Metrics.wilson95(11, 10));
    }

    @Test
    void klDivergence() {
        double[] p = {0.5, 0.5};
        double[] q = {0.9, 0.1};
        assertEquals(0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1), Metrics.klDivergence(p, q, 0), 1e-12);
        assertEquals(0.510826, Metrics.klDivergence(p, q, Metrics.KL_EPSILON), 1e-5);
        assertEquals(0, Metrics.klDivergence(p, p, Metrics.KL_EPSILON), 1e-15);
        // A zero in the candidate stays finite thanks to epsilon.
        double kl = Metrics.klDivergence(new double[] {0.5, 0.5}, new double[] {1, 0}, Metrics.KL_EPSILON);
        assertTrue(Double.isFinite(kl) && kl > 5, String.valueOf(kl));
        // Scores: softmax outputs are normalised, logits go through a softmax.
        assertEquals(0, Metrics.klDivergence(new float[] {1, 3}, new float[] {0.25f, 0.75f}), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5}, Metrics.toDistribution(new float[] {-2, -2}), 1e-12);
    }

    @Test
    void percentilesInterpolateLinearly() {
        double[] v = {7, 1, 3, 2, 10, 4, 5, 6, 8, 9};
        assertEquals(5.5, Metrics.percentile(v, 50), 1e-12); // numpy.percentile(range(1, 11), 50)
        assertEquals(9.55, Metrics.percentile(v, 95), 1e-12); // numpy.percentile(range(1, 11), 95)
        assertEquals(1, Metrics.percentile(v, 0), 0);
        assertEquals(10, Metrics.percentile(v, 100), 0);
        assertEquals(42, Metrics.percentile(new double[] {42}, 95), 0);
        assertTrue(Double.isNaN(Metrics.percentile(new double[0], 50)));
    }

    @Test
    void rankingBreaksTiesByIndex() {
        float[] s = {0.1f, 0.4f, 0.4f, 0.1f};
        assertEquals(1, Metrics.argmax(s));
        assertTrue(Metrics.inTopK(s, 1, 1));
        assertFalse(Metrics.inTopK(s, 2, 1));
        assertTrue(Metrics.inTopK(s, 2, 2));
        assertFalse(Metrics.inTopK(s, 3, 3));
        assertTrue(Metrics.inTopK(s, 3, 4));
        assertFalse(Metrics.inTopK(s, 7, 5));
    }

    @Test
    void peakMemoryIsReadOnLinux() {
        long peak = Metrics.peakMemoryBytes();
        assertTrue(peak == -1 || peak > 1 << 20, String.valueOf(peak));
    }
}
