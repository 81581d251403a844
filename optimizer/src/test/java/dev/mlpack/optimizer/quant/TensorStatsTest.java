package dev.mlpack.optimizer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** What calibration records of one tensor, image by image. */
class TensorStatsTest {
    private static MemorySegment floats(float... values) {
        return MemorySegment.ofArray(values);
    }

    @Test
    void anImageGivesItsExtremesAndTheSumOfEachChannelTheLastAxisBeingTheChannel() {
        // 3 positions x 2 channels
        TensorStats.RangeSample s = TensorStats.RangeSample.of(floats(1, 10, -2, 20, 0.5f, 30), 2);
        assertEquals(-2f, s.min());
        assertEquals(30f, s.max());
        assertArrayEquals(new double[] {-0.5, 60}, s.channelSums());
        assertEquals(3, s.positions());
    }

    /** Read chunk by chunk, a large tensor gives exactly what one pass over its values in order gives. */
    @Test
    void aTensorOfManyChunksGivesWhatOnePassOverItsValuesGives() {
        java.util.Random random = new java.util.Random(7);
        int channels = 48, positions = 1000;
        float[] values = new float[channels * positions + 5]; // and a tail shorter than one position
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * 3);
        double[] sums = new double[channels];
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            lo = Math.min(lo, values[i]);
            hi = Math.max(hi, values[i]);
            sums[i % channels] += values[i];
        }
        TensorStats.RangeSample s = TensorStats.RangeSample.of(floats(values), channels);
        assertEquals(lo, s.min());
        assertEquals(hi, s.max());
        assertArrayEquals(sums, s.channelSums(), "summed in the same order, to the last bit");
        assertEquals(positions, s.positions());
    }

    @Test
    void nanValuesDoNotMoveTheExtremes() {
        TensorStats.RangeSample s = TensorStats.RangeSample.of(floats(Float.NaN, 1, -1, Float.NaN), 1);
        assertEquals(-1f, s.min());
        assertEquals(1f, s.max());
        TensorStats.RangeSample tail = TensorStats.RangeSample.of(floats(0, 2, -3, 4, Float.NaN), 2);
        assertEquals(-3f, tail.min(), "a NaN in the tail too");
        assertEquals(4f, tail.max());
    }

    @Test
    void imagesAddUpInOrderToTheExtremesAndMeansOfAll() {
        TensorStats stats = new TensorStats();
        stats.add(TensorStats.RangeSample.of(floats(1, 2, 3, 4), 2));
        stats.add(TensorStats.RangeSample.of(floats(-5, 6, 7, 8), 2));
        assertEquals(-5f, stats.min);
        assertEquals(8f, stats.max);
        assertEquals(4, stats.channelCount);
        assertArrayEquals(new double[] {(1 + 3 - 5 + 7) / 4.0, (2 + 4 + 6 + 8) / 4.0}, stats.channelMeans());
    }

    @Test
    void aHistogramSpansTheGivenExtremesAndClampsWhatLiesOutside() {
        long[] counts = TensorStats.histogramOf(floats(0, 1, 0.5f, -3, 7, 0.25f), 0, 1);
        assertEquals(2, counts[0], "0 and -3 (below the range)");
        assertEquals(1, counts[TensorStats.BINS / 4], "0.25");
        assertEquals(1, counts[TensorStats.BINS / 2], "0.5");
        assertEquals(2, counts[TensorStats.BINS - 1], "1 (the upper edge) and 7 (above the range)");
        TensorStats stats = new TensorStats();
        stats.addHistogram(counts);
        stats.addHistogram(counts);
        assertEquals(12, java.util.Arrays.stream(stats.histogram).sum());
    }

    @Test
    void withoutSpreadEveryValueGoesToTheFirstBin() {
        long[] counts = TensorStats.histogramOf(floats(2, 2, 2), 2, 2);
        assertEquals(3, counts[0]);
    }
}
