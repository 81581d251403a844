package dev.mlpack.optimizer.keras;

import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ops.Elementwise;
import dev.mlpack.optimizer.ops.Linear;
import dev.mlpack.optimizer.ops.Resizing;
import dev.mlpack.optimizer.ops.Shapes;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.runtime.image.Preprocess;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Works out, from an imported graph, how the model expects its pixels scaled, where the graph shows it:
 *
 * <ul>
 *   <li>a model whose first computation on the image is a scaling by constants (Keras' Rescaling or Normalization
 *       layer, as in the keras.io examples and in EfficientNet, ConvNeXt and MobileNetV3, which rescale by
 *       themselves) takes raw 0..255 pixels; resizing, casts, flips and a grayscale conversion may come first;
 *   <li>a keras.applications family that does not rescale by itself, recognised by its layer names, takes what its
 *       own {@code preprocess_input} gives.
 * </ul>
 *
 * Anything else cannot be known from the graph: the caller asks the user rather than guess.
 */
public final class PreprocessingInference {
    /** What the graph shows, and how to say it. */
    public record Evidence(Preprocess mode, String reason) {}

    /** Ops that move or resample pixels without changing their scale. */
    private static final Set<OpSpec<?>> SCALE_PRESERVING = Set.of(Resizing.RESIZE_BILINEAR, Resizing.RESIZE_NEAREST_NEIGHBOR, Shapes.CAST, Shapes.RESHAPE,
            Shapes.TRANSPOSE, Shapes.REVERSE_V2, Shapes.STRIDED_SLICE, Shapes.SLICE, Shapes.PAD);
    private static final Set<OpSpec<?>> SCALINGS = Set.of(Elementwise.MUL, Elementwise.DIV, Elementwise.ADD, Elementwise.SUB);
    private static final Set<OpSpec<?>> CHANNEL_MIXES = Set.of(Linear.FULLY_CONNECTED, Linear.BATCH_MATMUL, Linear.CONV_2D);

    private PreprocessingInference() {}

    /** The evidence for the graph's single image input; empty when the graph does not show it. */
    public static Optional<Evidence> infer(Graph graph) {
        if (graph.inputs().size() != 1) return Optional.empty();
        Value image = graph.inputs().values().iterator().next();
        if (image.shape().rank() != 4) return Optional.empty();
        Optional<Evidence> rescaling = ownScaling(graph, image);
        return rescaling.isPresent() ? rescaling : KerasApplications.recognise(graph).map(f -> new Evidence(f.preprocess(),
                "the model is keras.applications " + f.name() + ", whose preprocess_input is '" + f.preprocess().kerasName() + "'"));
    }

    /** RAW when every path from the image reaches a scaling by constants before any other computation. */
    private static Optional<Evidence> ownScaling(Graph graph, Value image) {
        Map<Value, List<Node>> readers = graph.consumerIndex();
        Set<Node> first = new LinkedHashSet<>();
        Set<Value> seen = new HashSet<>();
        Deque<Value> pixels = new ArrayDeque<>(List.of(image));
        while (!pixels.isEmpty()) {
            Value v = pixels.pop();
            if (!seen.add(v)) continue;
            for (Node n : readers.getOrDefault(v, List.of())) {
                if (n.op() == Shapes.SHAPE) continue;
                if (SCALE_PRESERVING.contains(n.op()) && n.input(0) == v || isGrayscaleConversion(n, v)) {
                    pixels.push(n.output());
                } else {
                    first.add(n);
                }
            }
        }
        if (first.isEmpty() || !first.stream().allMatch(PreprocessingInference::isConstantScaling)) return Optional.empty();
        List<String> layers = new ArrayList<>(first.stream().map(Node::layerName).distinct().sorted().toList());
        return Optional.of(new Evidence(Preprocess.RAW, "the model scales its pixels itself (layer "
                + String.join(", ", layers.stream().map(l -> "'" + l + "'").toList()) + ")"));
    }

    /** x·c, x/c, x+c or x−c with c a scalar or per-channel constant: a Rescaling or Normalization layer. */
    private static boolean isConstantScaling(Node n) {
        if (!SCALINGS.contains(n.op())) return false;
        Value a = n.input(0), b = n.input(1);
        Value constant = b.isConstant() ? b : a.isConstant() && n.op() != Elementwise.DIV && n.op() != Elementwise.SUB ? a : null;
        if (constant == null) return false;
        int channels = n.output().shape().dim(-1);
        return constant.shape().elementCount() == 1 || constant.shape().elementCount() == channels;
    }

    /**
     * A weighted sum of the channels with non-negative constant weights that add up to 1 for each output, such as
     * tf.image.rgb_to_grayscale: pixels stay in their range.
     */
    private static boolean isGrayscaleConversion(Node n, Value v) {
        if (!CHANNEL_MIXES.contains(n.op()) || n.input(0) != v || n.input(1) == null || !n.input(1).isConstant()) return false;
        if (n.input(2) != null && !(n.input(2).isConstant() && n.input(2).data().allEqual(0))) return false;
        if (n.op() == Linear.CONV_2D && (n.input(1).shape().dim(1) != 1 || n.input(1).shape().dim(2) != 1)) return false;
        float[] w = n.input(1).data().floats();
        int outputs = n.op() == Linear.BATCH_MATMUL ? n.input(1).shape().dim(-1) : n.input(1).shape().dim(0);
        if (outputs <= 0 || w.length % outputs != 0) return false;
        int perOutput = w.length / outputs;
        for (int o = 0; o < outputs; o++) {
            double sum = 0;
            for (int k = 0; k < perOutput; k++) {
                float weight = n.op() == Linear.BATCH_MATMUL ? w[k * outputs + o] : w[o * perOutput + k];
                if (weight < 0) return false;
                sum += weight;
            }
            if (Math.abs(sum - 1) > 1e-3) return false;
        }
        return true;
    }
}
