package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ops.Elementwise;
import dev.mlpack.optimizer.ir.Shape;
import java.util.List;

/**
 * Last rewrites before writing, for what the TFLite kernels demand rather than what the graph means: SWISH
 * (no builtin) becomes LOGISTIC then MUL, and ops whose kernels require a bias (their {@code OperandRoles} say so: the
 * convolutions) get an explicit zero bias, one per output channel.
 */
public final class LegalizeForTflite implements Pass {
    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : graph.nodes()) {
            if (n.op() == Activations.SWISH) {
                Node sigmoid = graph.add(Activations.LOGISTIC, List.of(n.input(0)), n.origin() + "/sigmoid", n.layer());
                Node mul = graph.add(Elementwise.MUL, List.of(n.input(0), sigmoid.output()), Elementwise.FusedAttrs.NONE, n.origin(), n.layer());
                graph.replaceAllUses(n.output(), mul.output());
                graph.remove(n);
                changed = true;
            } else if (n.op().roles().biasRequired() && n.input(n.op().roles().bias()) == null) {
                int channels = n.output().shape().dim(-1);
                graph.setInput(n, n.op().roles().bias(), graph.constant(n.origin() + "/bias", Constant.ofFloats(Shape.of(channels), new float[channels])));
                changed = true;
            }
        }
        return changed;
    }
}
