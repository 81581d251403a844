package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
import dev.mlpack.optimizer.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training magnitude pruning: sets the smallest-magnitude weights of constant convolution, depthwise and fully
 * connected kernels to exactly 0. It runs on the optimized float graph, after batch normalisation was folded into
 * the kernels, so magnitudes are those of the weights the model really multiplies by. Quantization keeps the zeros:
 * int8 weights are symmetric (zero point 0), so 0 quantizes to 0, and bias correction rewrites biases only.
 */
public final class MagnitudePruner {
    private MagnitudePruner() {}

    /** One prunable kernel of the graph, with why it is kept dense ({@code null}: it may be pruned). */
    public record Kernel(String name, Node node, Value weights, String keptDense) {}

    /**
     * The prunable kernels in graph order, each with its default verdict: depthwise kernels, the first convolution
     * and the classifier (the last weighted layer) are kept dense, as are layers matching {@code settings.skip()}.
     */
    public static List<Kernel> kernels(Graph graph, PruneSettings settings) {
        List<Node> weighted = new ArrayList<>();
        for (Node n : graph.nodes()) if (isKernelReader(n)) weighted.add(n);
        Node firstConv = weighted.stream().filter(n -> n.op() == Op.CONV_2D).findFirst().orElse(null);
        Node classifier = weighted.isEmpty() ? null : weighted.getLast();
        Map<Value, Boolean> seen = new IdentityHashMap<>();
        List<Kernel> out = new ArrayList<>();
        for (Node n : weighted) {
            Value w = n.input(1);
            if (seen.put(w, true) != null) continue; // shared weights: one kernel
            String name = layerName(n);
            String reason = null;
            boolean sensitive = false;
            if (settings.skips(name)) reason = "--prune-skip";
            else if (n.op() == Op.DEPTHWISE_CONV_2D) { reason = "depthwise"; sensitive = true; }
            else if (n == classifier) { reason = "classifier"; sensitive = true; }
            else if (n == firstConv) { reason = "first conv"; sensitive = true; }
            if (sensitive && (settings.pruneSensitive() || settings.perLayer().containsKey(name))) reason = null;
            out.add(new Kernel(name, n, w, reason));
        }
        return out;
    }

    /** Prunes {@code graph} in place and reports the zeros of every kernel. */
    public static PruneReport prune(Graph graph, PruneSettings settings) {
        List<Kernel> kernels = kernels(graph, settings);
        List<PruneReport.Layer> layers = new ArrayList<>();
        Map<Kernel, float[]> pruned = new IdentityHashMap<>();
        Map<Kernel, Double> targets = new IdentityHashMap<>();
        for (Kernel k : kernels) {
            if (k.keptDense() != null) continue;
            targets.put(k, settings.perLayer().getOrDefault(k.name(), settings.fraction()));
            pruned.put(k, k.weights().data().floats());
        }
        int block = settings.block();
        if (settings.scope() == PruneScope.GLOBAL && settings.perLayer().isEmpty()) {
            zeroSmallest(kernels.stream().filter(pruned::containsKey).map(k -> blockMagnitudes(pruned.get(k), lastDim(k), block)).toList(),
                    settings.fraction());
        } else {
            for (Kernel k : kernels) {
                if (!pruned.containsKey(k)) continue;
                zeroSmallest(List.of(blockMagnitudes(pruned.get(k), lastDim(k), block)), targets.get(k));
            }
        }
        for (Kernel k : kernels) {
            float[] w = pruned.get(k);
            if (w != null) {
                Value replacement = graph.constant(k.weights().name() + "/pruned", Constant.ofFloats(k.weights().shape(), w));
                graph.replaceAllUses(k.weights(), replacement);
            }
            float[] values = w != null ? w : k.weights().data().floatView();
            long zeros = 0;
            for (float v : values) if (v == 0) zeros++;
            layers.add(new PruneReport.Layer(k.name(), k.node().op().name(), values.length, zeros,
                    w == null ? 0 : targets.get(k), k.keptDense()));
        }
        return new PruneReport(layers);
    }

    /** The layer's Keras name, or its TF node when the importer had none. */
    static String layerName(Node n) {
        return n.layer() == null || n.layer().isEmpty() ? n.origin() : n.layer();
    }

    private static boolean isKernelReader(Node n) {
        return (n.op() == Op.CONV_2D || n.op() == Op.DEPTHWISE_CONV_2D || n.op() == Op.FULLY_CONNECTED)
                && n.input(1) != null && n.input(1).isConstant() && n.input(1).data().isFloating();
    }

    private static int lastDim(Kernel k) { return k.weights().shape().dim(-1); }

    /**
     * The weights grouped in runs of {@code block} along the last (input-channel) axis; a run's magnitude is its
     * largest absolute weight. Zeroing a run zeroes its weights.
     */
    private static Blocks blockMagnitudes(float[] weights, int lastDim, int block) {
        int b = Math.max(1, Math.min(block, lastDim));
        int rows = weights.length / lastDim;
        int perRow = (lastDim + b - 1) / b;
        float[] mag = new float[rows * perRow];
        for (int i = 0; i < weights.length; i++) {
            int r = i / lastDim, c = (i % lastDim) / b;
            int j = r * perRow + c;
            mag[j] = Math.max(mag[j], Math.abs(weights[i]));
        }
        return new Blocks(weights, mag, lastDim, b, perRow);
    }

    private record Blocks(float[] weights, float[] magnitude, int lastDim, int block, int perRow) {
        void zero(int j) {
            int r = j / perRow, c = j % perRow;
            int start = r * lastDim + c * block, end = Math.min(r * lastDim + lastDim, start + block);
            for (int i = start; i < end; i++) weights[i] = 0;
        }
    }

    /**
     * Zeroes the {@code fraction} smallest-magnitude runs over all {@code groups} together: every run below the
     * threshold, then runs at the threshold in order until the count is exact, so the result is deterministic.
     */
    private static void zeroSmallest(List<Blocks> groups, double fraction) {
        int total = groups.stream().mapToInt(g -> g.magnitude().length).sum();
        int k = (int) Math.floor(fraction * total + 1e-9);
        if (k <= 0) return;
        float[] all = new float[total];
        int at = 0;
        for (Blocks g : groups) {
            System.arraycopy(g.magnitude(), 0, all, at, g.magnitude().length);
            at += g.magnitude().length;
        }
        java.util.Arrays.sort(all);
        float threshold = all[k - 1];
        int below = 0;
        for (Blocks g : groups) for (float m : g.magnitude()) if (m < threshold) below++;
        int atThreshold = k - below;
        for (Blocks g : groups) {
            float[] m = g.magnitude();
            for (int j = 0; j < m.length; j++) {
                if (m[j] < threshold) g.zero(j);
                else if (m[j] == threshold && atThreshold > 0) {
                    g.zero(j);
                    atThreshold--;
                }
            }
        }
    }
}
