package dev.mlpack.optimizer.quant;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * What calibration saw of one float tensor: its extremes, the mean of each channel (last axis; for bias
 * correction) and, in a second pass over some of the same images, a histogram between those extremes.
 *
 * <p>Each image is measured on its own ({@link RangeSample#of}, {@link #histogramOf}), reading the tensor where the
 * interpreter left it, and the measurements are added here in image order: so the sums are the same whichever
 * thread measured which image.
 */
final class TensorStats {
    static final int BINS = 2048;

    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    double[] channelSums;
    long channelCount;
    long[] histogram;

    /**
     * One image's extremes and per-channel sums of one tensor.
     *
     * @param positions how many values each channel summed (the tensor's elements over its channels)
     */
    record RangeSample(float min, float max, double[] channelSums, long positions) {
        /**
         * Measures {@code floats} (float32, NHWC-like: the channel is the fastest-moving index), {@code channels}
         * channels. NaNs leave the extremes alone.
         */
        static RangeSample of(MemorySegment floats, int channels) {
            long n = floats.byteSize() / Float.BYTES;
            long positions = n / channels;
            double[] sums = new double[channels];
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            long offset = 0;
            for (long p = 0; p < positions; p++) {
                for (int c = 0; c < channels; c++, offset += Float.BYTES) {
                    float v = floats.get(JAVA_FLOAT_UNALIGNED, offset);
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                    sums[c] += v;
                }
            }
            // A tail shorter than one position (only when the element count is not a multiple of the channels).
            for (int c = 0; offset < n * Float.BYTES; c++, offset += Float.BYTES) {
                float v = floats.get(JAVA_FLOAT_UNALIGNED, offset);
                if (v < lo) lo = v;
                if (v > hi) hi = v;
                sums[c] += v;
            }
            return new RangeSample(lo, hi, sums, positions);
        }
    }

    /** Adds one image's sample; images must come in the same order on every run for the sums to be reproducible. */
    void add(RangeSample s) {
        if (s.min() < min) min = s.min();
        if (s.max() > max) max = s.max();
        if (channelSums == null) channelSums = new double[s.channelSums().length];
        for (int c = 0; c < channelSums.length; c++) channelSums[c] += s.channelSums()[c];
        channelCount += s.positions();
    }

    /**
     * One image's histogram of {@code floats} over {@link #BINS} equal bins between {@code min} and {@code max}, the
     * extremes of the first pass (values outside go to the end bins; with no spread, all go to bin 0).
     */
    static long[] histogramOf(MemorySegment floats, float min, float max) {
        long[] counts = new long[BINS];
        long n = floats.byteSize() / Float.BYTES;
        if (!(max > min)) {
            counts[0] = n;
            return counts;
        }
        double scale = BINS / ((double) max - min);
        for (long offset = 0; offset < n * Float.BYTES; offset += Float.BYTES) {
            float v = floats.get(JAVA_FLOAT_UNALIGNED, offset);
            int bin = (int) ((v - min) * scale);
            counts[Math.max(0, Math.min(BINS - 1, bin))]++;
        }
        return counts;
    }

    /** Adds one image's {@link #histogramOf} (counts: the order does not matter). */
    void addHistogram(long[] counts) {
        if (histogram == null) histogram = new long[BINS];
        for (int b = 0; b < BINS; b++) histogram[b] += counts[b];
    }

    double[] channelMeans() {
        double[] m = new double[channelSums.length];
        for (int i = 0; i < m.length; i++) m[i] = channelSums[i] / Math.max(1, channelCount);
        return m;
    }
}
