package dev.mlpack.optimizer;

import java.util.Arrays;
import java.util.Locale;

/** Output number formats of {@code mlpack optimize --quantize}. */
public enum Quantize {
    NONE, FLOAT16;

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
