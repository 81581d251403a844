package dev.mlpack.optimizer.prune;

import java.util.List;

/**
 * The zeros in every convolution, depthwise and fully connected kernel after pruning: per layer, and overall.
 * {@code sparsity} counts all those kernels; {@code prunedSparsity} only the ones that were pruned.
 */
public record PruneReport(List<Layer> layers) {
    public static final PruneReport EMPTY = new PruneReport(List.of());

    public PruneReport {
        layers = List.copyOf(layers);
    }

    /**
     * One kernel: its layer name, TFLite op, weight count and exact zeros, the fraction asked of it, and why it was
     * kept dense ({@code null} when pruned).
     */
    public record Layer(String name, String op, long weights, long zeros, double target, String keptDense) {
        public double sparsity() { return weights == 0 ? 0 : (double) zeros / weights; }

        public boolean pruned() { return keptDense == null; }
    }

    public double sparsity() { return ratio(false); }

    public double prunedSparsity() { return ratio(true); }

    public long weights() { return layers.stream().mapToLong(Layer::weights).sum(); }

    public long zeros() { return layers.stream().mapToLong(Layer::zeros).sum(); }

    private double ratio(boolean prunedOnly) {
        long w = 0, z = 0;
        for (Layer l : layers) {
            if (prunedOnly && !l.pruned()) continue;
            w += l.weights();
            z += l.zeros();
        }
        return w == 0 ? 0 : (double) z / w;
    }
}
