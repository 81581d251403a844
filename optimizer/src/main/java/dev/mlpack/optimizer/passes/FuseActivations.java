package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.FusedActivation;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ops.Activations;
import java.util.List;
import java.util.Map;

/** Moves RELU and RELU6 into the fused_activation_function of the op that produces their input. */
public final class FuseActivations implements Pass {
    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        Map<Value, List<Node>> consumers = graph.consumerIndex();
        for (Node act : graph.nodes()) {
            Activation kind = act.op() == Activations.RELU ? Activation.RELU : act.op() == Activations.RELU6 ? Activation.RELU6 : null;
            if (kind == null) continue;
            Value x = act.input(0);
            Node producer = x.producer();
            if (producer == null || !(producer.attrs() instanceof FusedActivation fused) || fused.activation() != Activation.NONE) continue;
            if (consumers.getOrDefault(x, List.of()).size() != 1 || graph.isGraphOutput(x)) continue;
            producer.setAttrs(fused.withActivation(kind));
            graph.replaceAllUses(act.output(), x);
            graph.remove(act);
            changed = true;
        }
        return changed;
    }
}
