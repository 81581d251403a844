package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.LayerPatterns;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link MagnitudePruner} zeroes: {@code fraction} of the weights of each prunable kernel (or of all of them
 * together, with {@link PruneScope#GLOBAL}), except kernels whose layer name matches a {@code skip} glob and, unless
 * {@code pruneSensitive}, the layers known to be sensitive (the first convolution, the classifier and depthwise
 * kernels) unless they match an {@code include} glob. {@code perLayer} overrides the fraction of named layers (the accuracy search sets it); a layer named
 * there is pruned even when it would be kept dense by default. {@code block} > 1 zeroes whole runs of that many
 * weights along the input-channel axis, which the sparse encoding stores with one index per run.
 */
public record PruneSettings(double fraction, PruneScope scope, List<String> skip, List<String> include,
                            Map<String, Double> perLayer, int block) {
    /** The largest fraction accepted: pruning every weight would leave a model that outputs its biases. */
    public static final double MAX_FRACTION = 0.99;

    public static final PruneSettings NONE = new PruneSettings(0, PruneScope.LAYER, List.of(), List.of(), Map.of(), 1);

    public PruneSettings {
        checkFraction("--prune", fraction);
        if (scope == null) throw new IllegalArgumentException("scope");
        skip = List.copyOf(skip);
        include = List.copyOf(include);
        perLayer = java.util.Collections.unmodifiableMap(new TreeMap<>(perLayer));
        perLayer.forEach((layer, f) -> checkFraction("sparsity of layer " + layer, f));
        if (block < 1) throw ConversionException.badInput("prune block must be at least 1, got " + block);
        for (String glob : skip) {
            if (glob.isBlank()) throw ConversionException.badInput("--prune-skip needs a layer name or glob pattern, got an empty one");
        }
        for (String glob : include) {
            if (glob.isBlank()) throw ConversionException.badInput("--prune-include needs a layer name or glob pattern, got an empty one");
        }
    }

    public static PruneSettings of(double fraction) {
        return new PruneSettings(fraction, PruneScope.LAYER, List.of(), List.of(), Map.of(), 1);
    }

    static void checkFraction(String what, double f) {
        if (!(f >= 0 && f <= MAX_FRACTION)) {
            throw ConversionException.badInput(what + " must be a fraction between 0 and " + MAX_FRACTION + ", got " + f);
        }
    }

    /** True when nothing will be pruned. */
    public boolean isNone() { return fraction == 0 && perLayer.values().stream().allMatch(f -> f == 0); }

    public PruneSettings withFraction(double f) { return new PruneSettings(f, scope, skip, include, perLayer, block); }

    public PruneSettings withPerLayer(Map<String, Double> layers) {
        return new PruneSettings(fraction, scope, skip, include, layers, block);
    }

    public PruneSettings withBlock(int b) { return new PruneSettings(fraction, scope, skip, include, perLayer, b); }

    /** Whether {@code layer} matches one of the {@code --prune-skip} globs (see {@link LayerPatterns}). */
    public boolean skips(String layer) { return LayerPatterns.matchesAny(skip, layer); }

    /** Whether {@code layer} matches one of the {@code --prune-include} globs. */
    public boolean includes(String layer) { return LayerPatterns.matchesAny(include, layer); }
}
