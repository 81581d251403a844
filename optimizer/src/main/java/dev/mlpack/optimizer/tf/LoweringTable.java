package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.ir.Value;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TF ops the importer can lower, by TF op name. The op families ({@code dev.mlpack.optimizer.ops}) fill it; an
 * op missing here is unsupported, and the importer names it (with its node and Keras layer) when a model needs it.
 */
public final class LoweringTable {
    private final Map<String, Lowering> rules = new TreeMap<>();

    /** Registers the lowering of {@code tfOp}; each TF op has exactly one. */
    public LoweringTable add(String tfOp, Lowering rule) {
        if (rules.putIfAbsent(tfOp, rule) != null) throw new IllegalStateException("TF op " + tfOp + " is lowered twice");
        return this;
    }

    /** The outputs of the node {@code ctx} describes, lowered by its TF op's rule. */
    public List<Value> lower(LoweringContext ctx) {
        Lowering rule = rules.get(ctx.opType());
        if (rule == null) throw ctx.unsupported("op " + ctx.opType());
        return rule.lower(ctx);
    }

    /** The TF op names this table lowers, sorted. */
    public java.util.Set<String> tfOps() { return Collections.unmodifiableSet(rules.keySet()); }
}
