package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Graph;

/** One rewrite of the graph. Returns true when it changed something, so pipelines can run to a fixpoint. */
@FunctionalInterface
public interface Pass {
    boolean run(Graph graph);
}
