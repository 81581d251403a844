package dev.mlpack.optimizer.eval;

import dev.mlpack.optimizer.eval.EvaluationReport.ModelStats;
import java.util.Locale;

/** How evaluation figures are written, shared by the terminal table and the HTML report so both read the same. */
public final class ReportFormat {
    private ReportFormat() {}

    public static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** An accuracy with its 95% interval: {@code 85.7% [81.2, 89.2]}. */
    public static String accuracy(double v, double[] ci) {
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * v, 100 * ci[0], 100 * ci[1]);
    }

    /** p50 / p95 latency, or "-" when it was not measured. */
    public static String latency(ModelStats s) {
        if (!Double.isFinite(s.latencyP50Ms())) return "-";
        return String.format(Locale.ROOT, "%.2f / %.2f ms", s.latencyP50Ms(), s.latencyP95Ms());
    }
}
