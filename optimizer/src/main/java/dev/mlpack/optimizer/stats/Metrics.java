package dev.mlpack.optimizer.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Statistics for comparing a model's outputs with a reference's: confidence intervals, divergences, percentiles,
 * ranking. Stateless; used by the evaluation and by int8 conversion's choice of calibration method.
 */
public final class Metrics {
    /** The z value of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /** The epsilon added to both distributions in {@link #klDivergence}. */
    public static final double KL_EPSILON = 1e-7;

    private Metrics() {}

    /**
     * The Wilson score interval of a binomial proportion {@code successes / n} at the given z, as {lo, hi}, both in
     * 0..1. For {@code n == 0}: {0, 1} (no information).
     */
    public static double[] wilson(long successes, long n, double z) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got " + successes + " of " + n);
        }
        if (n == 0) return new double[] {0, 1};
        double p = (double) successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /** {@link #wilson(long, long, double)} at 95%. */
    public static double[] wilson95(long successes, long n) {
        return wilson(successes, n, Z95);
    }

    /**
     * Scores as a probability distribution: non-negative scores summing to more than 0 are divided by their sum
     * (softmax outputs, possibly off by rounding or quantization); anything else (logits) goes through a softmax.
     */
    public static double[] toDistribution(float[] scores) {
        double[] p = new double[scores.length];
        double sum = 0;
        boolean nonNegative = true;
        for (int i = 0; i < scores.length; i++) {
            p[i] = scores[i];
            if (!(scores[i] >= 0)) nonNegative = false;
            sum += scores[i];
        }
        if (nonNegative && sum > 0) {
            for (int i = 0; i < p.length; i++) p[i] /= sum;
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) max = Math.max(max, s);
        sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /**
     * {@code KL(p || q) = sum p_i ln(p_i / q_i)} in nats, after adding {@code epsilon} to every entry of both and
     * renormalising, so that zeros (common in quantized outputs) give a finite value. Inputs are probability
     * distributions of the same length.
     */
    public static double klDivergence(double[] p, double[] q, double epsilon) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions differ in length: " + p.length + " and " + q.length);
        }
        double sp = 0, sq = 0;
        for (int i = 0; i < p.length; i++) {
            sp += p[i] + epsilon;
            sq += q[i] + epsilon;
        }
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = (p[i] + epsilon) / sp;
            double qi = (q[i] + epsilon) / sq;
            kl += pi * Math.log(pi / qi);
        }
        return Math.max(0, kl);
    }

    /** {@link #klDivergence(double[], double[], double)} of two score vectors, with {@link #KL_EPSILON}. */
    public static double klDivergence(float[] reference, float[] candidate) {
        return klDivergence(toDistribution(reference), toDistribution(candidate), KL_EPSILON);
    }

    /**
     * The {@code q}-th percentile (0..100) with linear interpolation between closest ranks (numpy's default):
     * position {@code q/100 * (n-1)} in the sorted values. NaN when there are no values.
     */
    public static double percentile(double[] values, double q) {
        if (q < 0 || q > 100) throw new IllegalArgumentException("percentile must be in 0..100, got " + q);
        if (values.length == 0) return Double.NaN;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double pos = q / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** The index of the largest score (the first one on ties). */
    public static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) best = i;
        }
        return best;
    }

    /**
     * Whether {@code label} is among the {@code k} highest scores: fewer than {@code k} scores are strictly higher,
     * or tied and at a lower index (so ties rank as {@link #argmax} does).
     */
    public static boolean inTopK(float[] scores, int label, int k) {
        if (label < 0 || label >= scores.length) return false;
        float s = scores[label];
        int better = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] > s || (scores[i] == s && i < label)) better++;
        }
        return better < k;
    }

    /** The process's peak resident memory (VmHWM of /proc/self/status) in bytes, or -1 where unavailable. */
    public static long peakMemoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
