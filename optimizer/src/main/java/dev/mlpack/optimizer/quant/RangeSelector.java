package dev.mlpack.optimizer.quant;

/** Chooses the real-valued range [lo, hi] that an int8 activation will cover. The range always includes 0. */
final class RangeSelector {
    private RangeSelector() {}

    record Range(float lo, float hi) {
        Range {
            lo = Math.min(lo, 0f);
            hi = Math.max(hi, 0f);
        }

        Range union(Range o) { return new Range(Math.min(lo, o.lo), Math.max(hi, o.hi)); }
    }

    static Range select(TensorStats s, CalibrationMethod method) {
        if (method == CalibrationMethod.AUTO) throw new IllegalArgumentException("auto resolves to a method before ranges are chosen");
        if (method == CalibrationMethod.MINMAX || s.histogram == null || !(s.max > s.min)) return new Range(s.min, s.max);
        return method == CalibrationMethod.PERCENTILE ? percentile(s, 1e-4) : minimumSquaredError(s);
    }

    private static float binEdge(TensorStats s, int bin) {
        return (float) (s.min + ((double) s.max - s.min) * bin / TensorStats.BINS);
    }

    /** Clips a fraction {@code tail} of the samples at each end that lies away from zero. */
    static Range percentile(TensorStats s, double tail) {
        long total = 0;
        for (long c : s.histogram) total += c;
        long cut = (long) Math.floor(total * tail);
        int lo = 0, hi = TensorStats.BINS - 1;
        for (long acc = 0; lo < TensorStats.BINS - 1 && acc + s.histogram[lo] <= cut; lo++) acc += s.histogram[lo];
        for (long acc = 0; hi > 0 && acc + s.histogram[hi] <= cut; hi--) acc += s.histogram[hi];
        float l = s.min < 0 ? binEdge(s, lo) : s.min;
        float h = s.max > 0 ? binEdge(s, hi + 1) : s.max;
        return new Range(l, h);
    }

    /**
     * Searches shrink factors of the observed range and keeps the one with the least expected squared error:
     * values inside the range cost step²/12 (uniform rounding), values outside cost their distance to the edge².
     */
    static Range minimumSquaredError(TensorStats s) {
        Range full = new Range(s.min, s.max);
        Range best = full;
        double bestError = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= 100; k++) {
            double f = 1.0 - 0.008 * k; // down to 0.2 of the observed range
            Range r = new Range((float) (full.lo() * f), (float) (full.hi() * f));
            double error = expectedError(s, r);
            if (error < bestError) {
                bestError = error;
                best = r;
            }
        }
        return best;
    }

    private static double expectedError(TensorStats s, Range r) {
        double step = ((double) r.hi() - r.lo()) / 255.0;
        double rounding = step * step / 12.0;
        double error = 0;
        for (int b = 0; b < TensorStats.BINS; b++) {
            long c = s.histogram[b];
            if (c == 0) continue;
            double center = (binEdge(s, b) + (double) binEdge(s, b + 1)) / 2;
            double e = center < r.lo() ? r.lo() - center : center > r.hi() ? center - r.hi() : 0;
            error += c * (e > 0 ? e * e : rounding);
        }
        return error;
    }
}
