package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
import java.util.List;
import java.util.Map;

/** Rewrites ops that TFLite has no builtin for into builtins, just before writing: SWISH becomes LOGISTIC then MUL. */
public final class ExpandCompositeOps implements Pass {
    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : graph.nodes()) {
            if (n.op() != Op.SWISH) continue;
            Node sigmoid = graph.add(Op.LOGISTIC, List.of(n.input(0)), Map.of(), n.origin() + "/sigmoid", n.layer());
            Node mul = graph.add(Op.MUL, List.of(n.input(0), sigmoid.output()), Map.of(), n.origin(), n.layer());
            graph.replaceAllUses(n.output(), mul.output());
            graph.remove(n);
            changed = true;
        }
        return changed;
    }
}
