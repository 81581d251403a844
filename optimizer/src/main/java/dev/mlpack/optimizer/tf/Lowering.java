package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.ir.Value;
import java.util.List;

/** How one TF op becomes IR nodes: the outputs of the TF node, in order (null for outputs nothing reads). */
@FunctionalInterface
public interface Lowering {
    List<Value> lower(LoweringContext ctx);
}
