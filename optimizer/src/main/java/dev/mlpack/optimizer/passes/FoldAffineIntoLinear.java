package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * Folds a per-channel MUL or ADD that follows a convolution or fully connected op into its weights and bias.
 * This is how BatchNormalization disappears, whether it was imported from FusedBatchNormV3 or from Keras 3's
 * decomposed x·rsqrt(var+ε)·γ + (β − mean·…), and how BiasAdd becomes the op's bias input.
 */
public final class FoldAffineIntoLinear implements Pass {
    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        Map<Value, List<Node>> consumers = graph.consumerIndex();
        for (Node affine : graph.nodes()) {
            if (affine.op() != Op.MUL && affine.op() != Op.ADD) continue;
            if (affine.attr("activation", Activation.NONE) != Activation.NONE) continue;
            Value x = affine.input(0), c = Patterns.constantOperand(affine);
            Node linear = x.producer();
            if (c == null || linear == null || !isLinear(linear) || linear.attr("activation", Activation.NONE) != Activation.NONE) continue;
            if (consumers.getOrDefault(x, List.of()).size() != 1 || graph.isGraphOutput(x)) continue;
            int channels = x.shape().dim(-1);
            float[] perChannel = perChannel(c.data(), channels);
            if (perChannel == null || !affine.output().shape().equals(x.shape())) continue;
            Value weights = linear.input(1);
            Value bias = linear.input(2);
            float[] b = bias == null ? new float[channels] : bias.data().floats();
            if (affine.op() == Op.MUL) {
                if (!weights.isConstant()) continue;
                Constant scaled = scaleOutputChannels(linear.op(), weights.data(), perChannel);
                graph.setInput(linear, 1, graph.constant(weights.name(), scaled));
                for (int i = 0; i < channels; i++) b[i] *= perChannel[i];
                if (bias != null) graph.setInput(linear, 2, graph.constant(bias.name(), Constant.ofFloats(Shape.of(channels), b)));
            } else {
                for (int i = 0; i < channels; i++) b[i] += perChannel[i];
                String name = bias == null ? linear.origin() + "/bias" : bias.name();
                graph.setInput(linear, 2, graph.constant(name, Constant.ofFloats(Shape.of(channels), b)));
            }
            graph.replaceAllUses(affine.output(), x);
            graph.remove(affine);
            consumers = graph.consumerIndex();
            changed = true;
        }
        return changed;
    }

    private static boolean isLinear(Node n) {
        return (n.op() == Op.CONV_2D || n.op() == Op.DEPTHWISE_CONV_2D || n.op() == Op.FULLY_CONNECTED) && n.input(1).isConstant();
    }

    /** The constant as one value per output channel, or null if it varies along any other axis. */
    private static float[] perChannel(Constant c, int channels) {
        int[] dims = c.shape().dims();
        for (int i = 0; i < dims.length - 1; i++) if (dims[i] != 1) return null;
        if (c.size() == channels) return c.floats();
        if (c.size() == 1) {
            float[] v = new float[channels];
            java.util.Arrays.fill(v, c.floatAt(0));
            return v;
        }
        return null;
    }

    /** Output channels are axis 0 of CONV_2D (OHWI) and FULLY_CONNECTED (MK), and the last axis of depthwise (1HWC). */
    static Constant scaleOutputChannels(Op op, Constant w, float[] scale) {
        float[] v = w.floats();
        int channels = scale.length;
        if (op == Op.DEPTHWISE_CONV_2D) {
            for (int i = 0; i < v.length; i++) v[i] *= scale[i % channels];
        } else {
            int inner = v.length / channels;
            for (int i = 0; i < v.length; i++) v[i] *= scale[i / inner];
        }
        return Constant.ofFloats(w.shape(), v);
    }
}
