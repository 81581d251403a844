package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OperandRoles;
import dev.mlpack.optimizer.ops.Elementwise;
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
            if (affine.op() != Elementwise.MUL && affine.op() != Elementwise.ADD) continue;
            if (affine.activation() != Activation.NONE) continue;
            Value x = affine.input(0), c = Patterns.constantOperand(affine);
            Node linear = x.producer();
            if (c == null || linear == null || !linear.op().roles().constantWeights(linear) || linear.activation() != Activation.NONE) continue;
            if (consumers.getOrDefault(x, List.of()).size() != 1 || graph.isGraphOutput(x)) continue;
            int channels = x.shape().dim(-1);
            float[] perChannel = perChannel(c.data(), channels);
            if (perChannel == null || !affine.output().shape().equals(x.shape())) continue;
            OperandRoles roles = linear.op().roles();
            if (roles.bias() < 0) continue;
            Value weights = linear.input(roles.weights());
            Value bias = linear.input(roles.bias());
            float[] b = bias == null ? new float[channels] : bias.data().floats();
            if (affine.op() == Elementwise.MUL) {
                if (!weights.isConstant()) continue;
                Constant scaled = scaleOutputChannels(weights.data(), roles.weightChannelAxis(), perChannel);
                graph.setInput(linear, roles.weights(), graph.constant(weights.name(), scaled));
                for (int i = 0; i < channels; i++) b[i] *= perChannel[i];
                if (bias != null) graph.setInput(linear, roles.bias(), graph.constant(bias.name(), Constant.ofFloats(Shape.of(channels), b)));
            } else {
                for (int i = 0; i < channels; i++) b[i] += perChannel[i];
                String name = bias == null ? linear.origin() + "/bias" : bias.name();
                graph.setInput(linear, roles.bias(), graph.constant(name, Constant.ofFloats(Shape.of(channels), b)));
            }
            graph.replaceAllUses(affine.output(), x);
            graph.remove(affine);
            consumers = graph.consumerIndex();
            changed = true;
        }
        return changed;
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

    /** The weights with each output channel (along {@code axis}) multiplied by its scale. */
    static Constant scaleOutputChannels(Constant w, int axis, float[] scale) {
        float[] v = w.floats();
        int inner = 1;
        for (int d = axis + 1; d < w.shape().rank(); d++) inner *= w.shape().dim(d);
        for (int i = 0; i < v.length; i++) v[i] *= scale[(i / inner) % scale.length];
        return Constant.ofFloats(w.shape(), v);
    }
}
