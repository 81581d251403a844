package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.errors.ConversionException;
import java.util.Locale;

/** Where the magnitude threshold of {@code --prune} is drawn. */
public enum PruneScope {
    /** One threshold over the weights of every pruned kernel: layers with many small weights lose more. */
    GLOBAL,
    /** Each pruned kernel loses the same fraction of its own weights. */
    LAYER;

    public static PruneScope parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConversionException.badInput("--prune-scope " + s + " is not one of global, layer");
        }
    }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }
}
