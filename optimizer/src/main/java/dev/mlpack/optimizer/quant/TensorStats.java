package dev.mlpack.optimizer.quant;

/**
 * What calibration saw of one float tensor: its extremes, the mean of each channel (last axis; for bias
 * correction) and, in a second pass over the same images, a histogram between those extremes.
 */
final class TensorStats {
    static final int BINS = 2048;

    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    double[] channelSums;
    long channelCount;
    long[] histogram;

    void observeRange(float[] values, int channels) {
        float lo = min, hi = max;
        if (channelSums == null) channelSums = new double[channels];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            channelSums[i % channels] += v;
        }
        channelCount += values.length / channels;
        min = lo;
        max = hi;
    }

    void observeHistogram(float[] values) {
        if (histogram == null) histogram = new long[BINS];
        if (!(max > min)) {
            histogram[0] += values.length;
            return;
        }
        double scale = BINS / ((double) max - min);
        for (float v : values) {
            int bin = (int) ((v - min) * scale);
            histogram[Math.max(0, Math.min(BINS - 1, bin))]++;
        }
    }

    double[] channelMeans() {
        double[] m = new double[channelSums.length];
        for (int i = 0; i < m.length; i++) m[i] = channelSums[i] / Math.max(1, channelCount);
        return m;
    }
}
