package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.errors.ConversionException;
import java.util.List;
import java.util.Locale;

/** How an activation's int8 range is chosen from what calibration saw. */
public enum CalibrationMethod {
    /** The observed minimum and maximum: no clipping, coarsest steps. */
    MINMAX,
    /** The 0.01% and 99.99% quantiles: rare outliers are clipped so that common values get finer steps. */
    PERCENTILE,
    /** The range that minimizes the expected squared error (clipping plus rounding) over the observed histogram. */
    MSE,
    /**
     * Quantizes with each of {@link #CANDIDATES}, runs both int8 models on calibration images, and keeps the first
     * unless a later one's output distribution is closer to the float model's: a mean KL divergence lower by more than
     * {@link Int8Conversion#AUTO_MARGIN}. Which method wins depends on the model.
     */
    AUTO;

    /** What {@link #AUTO} chooses between: the two that won on some model in the benchmarks (percentile never did). */
    public static final List<CalibrationMethod> CANDIDATES = List.of(MINMAX, MSE);

    public static CalibrationMethod parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConversionException.badInput("--calibration-method " + s + " is not one of auto, minmax, percentile, mse");
        }
    }

    public boolean needsHistogram() { return this != MINMAX; }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }
}
