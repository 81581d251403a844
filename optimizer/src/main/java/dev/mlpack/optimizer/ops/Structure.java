package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.tf.LoweringContext;
import dev.mlpack.optimizer.tf.LoweringTable;
import dev.mlpack.optimizer.tf.TensorProtos;
import java.util.List;

/** TF ops that produce no op of their own: constants, identities and grouping. */
final class Structure {
    private Structure() {}

    /** Identities at inference. */
    private static final List<String> PASS_THROUGH = List.of("Identity", "StopGradient", "Snapshot", "PreventGradient", "EnsureShape",
            "CheckNumerics", "PlaceholderWithDefault");

    static void lowerings(LoweringTable t) {
        t.add("Const", c -> List.of(c.constant("value", TensorProtos.constant(c.attr("value").getTensor()))));
        t.add("IdentityN", LoweringContext::inputs);
        t.add("NoOp", c -> List.of());
        for (String op : PASS_THROUGH) t.add(op, c -> List.of(c.input(0)));
    }
}
