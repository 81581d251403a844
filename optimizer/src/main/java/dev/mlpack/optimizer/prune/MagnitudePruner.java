package dev.mlpack.optimizer.prune;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OperandRoles;
import dev.mlpack.optimizer.ops.Linear;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training magnitude pruning: sets the smallest-magnitude weights of constant convolution, depthwise and fully
 * connected kernels to exactly 0, on the optimized float graph (batch normalisation already folded in).
 *
 * <p>With {@link PruneScope#LAYER}, each output channel of a kernel loses the same fraction of its weights, which
 * makes the choice independent of the per-channel scale that batch normalisation folds into the kernel. When
 * calibration images are given, a weight's magnitude is weighed by the root mean square of the input it multiplies
 * (as Wanda does), and the kept weights and the bias are then re-solved by least squares to reproduce the dense
 * channel's output on those images ({@link Refit}). Measured on MobileNet v1 0.25: plain magnitude pruning of 10% of
 * the pointwise weights already costs 4 points of top-1 (Keras agrees); see BENCHMARKS.md for what the refit recovers.
 *
 * <p>Quantization keeps the zeros: int8 weights are symmetric (zero point 0), so 0 quantizes to 0, and bias
 * correction rewrites biases only.
 */
public final class MagnitudePruner {
    private MagnitudePruner() {}

    /** One prunable kernel of the graph, with why it is kept dense ({@code null}: it may be pruned). */
    public record Kernel(String name, Node node, Value weights, String keptDense) {}

    /**
     * The prunable kernels in graph order, each with its default verdict: depthwise kernels, the first convolution
     * and the classifier (the last weighted layer) are kept dense unless they match {@code settings.include()}; layers
     * matching {@code settings.skip()} are kept dense in any case.
     */
    public static List<Kernel> kernels(Graph graph, PruneSettings settings) {
        graph.removeDeadNodes();
        graph.sortTopologically();
        List<Node> weighted = new ArrayList<>();
        for (Node n : graph.nodes()) if (isKernelReader(n)) weighted.add(n);
        Node firstConv = weighted.stream().filter(n -> n.op() == Linear.CONV_2D).findFirst().orElse(null);
        Node classifier = weighted.isEmpty() ? null : weighted.getLast();
        Map<Value, Boolean> seen = new IdentityHashMap<>();
        List<Kernel> out = new ArrayList<>();
        for (Node n : weighted) {
            Value w = n.input(1);
            if (seen.put(w, true) != null) continue; // shared weights: one kernel
            String name = n.layerName();
            String reason = null;
            boolean sensitive = false;
            if (settings.skips(name)) reason = "--prune-skip";
            else if (!hasRows(n)) { reason = "depthwise"; sensitive = true; }
            else if (n == classifier) { reason = "classifier"; sensitive = true; }
            else if (n == firstConv) { reason = "first conv"; sensitive = true; }
            if (sensitive && (settings.includes(name) || settings.perLayer().containsKey(name))) reason = null;
            out.add(new Kernel(name, n, w, reason));
        }
        return out;
    }

    /** Prunes {@code graph} in place by magnitude alone and reports the zeros of every kernel. */
    public static PruneReport prune(Graph graph, PruneSettings settings) { return prune(graph, settings, null); }

    /**
     * Prunes {@code graph} (optimized float) in place and reports the zeros of every kernel. {@code images} (model
     * inputs, may be null) weigh magnitudes by input strength and drive the least-squares refit: kernels are taken in
     * graph order, each chosen and refit on the inputs it sees in the model pruned so far, against the dense model's.
     */
    public static PruneReport prune(Graph graph, PruneSettings settings, List<float[]> images) {
        List<Kernel> kernels = kernels(graph, settings);
        Map<Kernel, Double> targets = new IdentityHashMap<>();
        for (Kernel k : kernels) {
            if (k.keptDense() == null) targets.put(k, settings.perLayer().getOrDefault(k.name(), settings.fraction()));
        }
        List<Node> measured = kernels.stream().filter(k -> targets.getOrDefault(k, 0.0) > 0 && hasRows(k.node())
                && LayerInputs.patchLength(k.node()) <= LayerInputs.MAX_REFIT).map(Kernel::node).toList();
        boolean data = images != null && !images.isEmpty() && !measured.isEmpty();
        Map<Node, List<float[]>> dense = data ? LayerInputs.patches(graph, measured, images) : Map.of();

        boolean global = settings.scope() == PruneScope.GLOBAL && settings.perLayer().isEmpty();
        Map<Kernel, float[]> pruned = new IdentityHashMap<>();
        for (Kernel k : kernels) if (targets.containsKey(k)) pruned.put(k, k.weights().data().floats());
        if (global) {
            List<Blocks> all = new ArrayList<>();
            for (Kernel k : kernels) {
                if (!pruned.containsKey(k)) continue;
                List<float[]> x = dense.get(k.node());
                all.addAll(groupsOf(k, pruned.get(k), x == null ? null : LayerInputs.rms(x, LayerInputs.patchLength(k.node())), settings.block()));
            }
            zeroSmallest(all, settings.fraction());
        }
        List<PruneReport.Layer> layers = new ArrayList<>();
        boolean changed = false;
        for (Kernel k : kernels) {
            float[] w = pruned.get(k);
            if (w != null) {
                List<float[]> xd = dense.get(k.node());
                List<float[]> xt = xd == null || !changed ? xd : LayerInputs.patches(graph, List.of(k.node()), images).get(k.node());
                double[] gram = xt == null ? null : LayerInputs.cross(xt, xt);
                if (!global) {
                    // |w| / sqrt([G⁻¹]_jj): the optimal-brain-surgeon saliency, as the kept weights are refit after
                    double[] scale = null;
                    if (gram != null) {
                        scale = Refit.inverseDiagonal(gram);
                        for (int j = 0; j < scale.length; j++) scale[j] = 1 / Math.sqrt(scale[j]);
                    }
                    for (Blocks g : groupsOf(k, w, scale, settings.block())) zeroSmallest(List.of(g), targets.get(k));
                }
                if (xt != null) refit(graph, k, w, gram, LayerInputs.cross(xt, xd));
                graph.replaceAllUses(k.weights(), graph.constant(k.weights().name() + "/pruned", Constant.ofFloats(k.weights().shape(), w)));
                changed = true;
            }
            float[] values = w != null ? w : k.weights().data().floatView();
            long zeros = 0;
            for (float v : values) if (v == 0) zeros++;
            layers.add(new PruneReport.Layer(k.name(), k.node().op().name(), values.length, zeros,
                    w == null ? 0 : targets.get(k), k.keptDense()));
        }
        return new PruneReport(layers);
    }

    private static void refit(Graph graph, Kernel k, float[] w, double[] gram, double[] cross) {
        Node n = k.node();
        int rows = k.weights().shape().dim(0);
        int biasInput = n.op().roles().bias();
        float[] bias = n.input(biasInput) != null && n.input(biasInput).isConstant() ? n.input(biasInput).data().floats() : new float[rows];
        Refit.apply(k.weights().data().floatView(), w, bias, gram, cross);
        graph.setInput(n, biasInput, graph.constant(n.origin() + "/bias", Constant.ofFloats(Shape.of(rows), bias)));
    }

    /**
     * Ops with constant float weights as input 1, read by the activation in input 0: the layout the saliency and the
     * refit assume (convolutions, depthwise, fully connected; a transposed convolution is not pruned).
     */
    private static boolean isKernelReader(Node n) {
        OperandRoles roles = n.op().roles();
        return roles.activation() == 0 && roles.weights() == 1 && roles.constantWeights(n) && n.input(1).data().isFloating();
    }

    /**
     * Kernels whose output channels are their first axis have one row of weights per output channel; depthwise
     * kernels, with output channels last, do not.
     */
    private static boolean hasRows(Node n) { return n.op().roles().weightChannelAxis() == 0; }

    /**
     * The pruning groups of a kernel: one per output channel for convolutions and fully connected layers, the whole
     * kernel for depthwise. Each is cut into runs of {@code block} along the last (input-channel) axis, scored by
     * their largest |w|·rms(input).
     */
    private static List<Blocks> groupsOf(Kernel k, float[] w, double[] rms, int block) {
        int last = k.weights().shape().dim(-1);
        int b = Math.max(1, Math.min(block, last));
        int rows = hasRows(k.node()) ? k.weights().shape().dim(0) : 1;
        int rowLength = w.length / rows;
        List<Blocks> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            int perLine = (last + b - 1) / b, lines = rowLength / last;
            float[] score = new float[lines * perLine];
            for (int i = 0; i < rowLength; i++) {
                int j = (i / last) * perLine + (i % last) / b;
                double s = Math.abs(w[r * rowLength + i]) * (rms != null && hasRows(k.node()) ? rms[i] : 1);
                score[j] = (float) Math.max(score[j], s);
            }
            out.add(new Blocks(w, r * rowLength, score, last, b, perLine));
        }
        return out;
    }

    /** Runs of weights in {@code weights}, from {@code offset}, with one score per run. */
    private record Blocks(float[] weights, int offset, float[] score, int lastDim, int block, int perLine) {
        void zero(int j) {
            int line = j / perLine, c = j % perLine;
            int start = offset + line * lastDim + c * block, end = Math.min(offset + line * lastDim + lastDim, start + block);
            for (int i = start; i < end; i++) weights[i] = 0;
        }
    }

    /**
     * Zeroes the {@code fraction} lowest-scored runs over all {@code groups} together: every run below the
     * threshold, then runs at the threshold in order until the count is exact, so the result is deterministic.
     */
    private static void zeroSmallest(List<Blocks> groups, double fraction) {
        int total = groups.stream().mapToInt(g -> g.score().length).sum();
        int k = (int) Math.floor(fraction * total + 1e-9);
        if (k <= 0) return;
        float[] all = new float[total];
        int at = 0;
        for (Blocks g : groups) {
            System.arraycopy(g.score(), 0, all, at, g.score().length);
            at += g.score().length;
        }
        java.util.Arrays.sort(all);
        float threshold = all[k - 1];
        int below = 0;
        for (Blocks g : groups) for (float s : g.score()) if (s < threshold) below++;
        int atThreshold = k - below;
        for (Blocks g : groups) {
            float[] s = g.score();
            for (int j = 0; j < s.length; j++) {
                if (s[j] < threshold) g.zero(j);
                else if (s[j] == threshold && atThreshold > 0) {
                    g.zero(j);
                    atThreshold--;
                }
            }
        }
    }
}
