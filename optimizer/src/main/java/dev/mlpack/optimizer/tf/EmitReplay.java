package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The values one TF node's lowering has added to the graph so far, in order, kept across its attempts. The importer
 * abandons a lowering that asks for an input not imported yet, imports that input, then runs the lowering again from
 * the start; on that run each value the lowering had already added is handed back instead of being added again. So
 * the graph gets the nodes and constants, their unique names and their order, that a recursive import would have
 * given by importing the input in the middle of the lowering.
 */
final class EmitReplay {
    /** What was added ({@code what}: an op or constant name, to catch a lowering that does not repeat itself). */
    private record Added(String what, Value value) {}

    private final List<Added> added = new ArrayList<>();
    private int next;

    /** Starts another attempt: the lowering's first addition is again the first one recorded. */
    void rewind() { next = 0; }

    /** The value the lowering's next addition made on an earlier attempt, else what {@code add} makes now. */
    Value once(String what, Supplier<Value> add) {
        if (next < added.size()) {
            Added earlier = added.get(next++);
            if (!earlier.what().equals(what)) {
                throw new IllegalStateException("the lowering added " + what + " where its previous attempt added "
                        + earlier.what() + ": a lowering must depend only on its node and its inputs");
            }
            return earlier.value();
        }
        Value v = add.get();
        added.add(new Added(what, v));
        next++;
        return v;
    }
}
