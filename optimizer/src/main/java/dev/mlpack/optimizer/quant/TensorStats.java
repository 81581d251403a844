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

    /** How many values {@link RangeSample#of} reads at a time: 32 KB, well inside the L1 cache. */
    private static final int CHUNK_FLOATS = 8192;

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
            // Whole positions at a time through a small array: the extremes and the sums then run as two simple loops
            // over it, which the JIT vectorizes (twice as fast as one loop reading the tensor in place).
            int chunkPositions = (int) Math.max(1, Math.min(positions, CHUNK_FLOATS / channels));
            float[] chunk = new float[chunkPositions * channels];
            for (long p0 = 0; p0 < positions; p0 += chunkPositions) {
                int length = (int) Math.min(chunkPositions, positions - p0) * channels;
                MemorySegment.copy(floats, JAVA_FLOAT_UNALIGNED, p0 * channels * Float.BYTES, chunk, 0, length);
                for (int i = 0; i < length; i++) {
                    lo = Math.min(lo, chunk[i]);
                    hi = Math.max(hi, chunk[i]);
                }
                for (int base = 0; base < length; base += channels) {
                    for (int c = 0; c < channels; c++) sums[c] += chunk[base + c];
                }
            }
            // A tail shorter than one position (only when the element count is not a multiple of the channels).
            for (long i = positions * channels, c = 0; i < n; i++, c++) {
                float v = floats.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                sums[(int) c] += v;
            }
            if (Float.isNaN(lo) || Float.isNaN(hi)) {
                float[] finite = extremesIgnoringNaN(floats);
                lo = finite[0];
                hi = finite[1];
            }
            return new RangeSample(lo, hi, sums, positions);
        }

        /** Math.min and Math.max let a NaN win; the extremes of a tensor that holds NaNs are those of its other values. */
        private static float[] extremesIgnoringNaN(MemorySegment floats) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (long i = 0; i < floats.byteSize() / Float.BYTES; i++) {
                float v = floats.getAtIndex(JAVA_FLOAT_UNALIGNED, i);
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
            return new float[] {lo, hi};
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
