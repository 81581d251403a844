package dev.mlpack.optimizer;

import dev.mlpack.optimizer.errors.ConversionException;
import java.util.Arrays;
import java.util.Locale;

/** Output number formats of {@code mlpack optimize --quantize}. */
public enum Quantize {
    /** float32 weights and activations. */
    NONE,
    /** float16 weights, DEQUANTIZEd to float32 at load; float32 activations. */
    FLOAT16,
    /** int8 weights and activations by TFLite's int8 specification, calibrated on images. */
    INT8,
    /** int8 weights, float activations (TFLite's hybrid kernels); needs no calibration. */
    DYNAMIC;

    public static Quantize parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConversionException.badInput("--quantize " + s + " is not one of " + Arrays.stream(values())
                    .map(v -> v.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }
}
