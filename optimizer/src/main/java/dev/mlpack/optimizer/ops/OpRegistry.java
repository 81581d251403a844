package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every op the converter knows, gathered from the families (one file each), and the TF ops that lower to them. To
 * add an op: its spec and its lowering in its family's file, and the spec in that family's {@code specs()}.
 */
public final class OpRegistry {
    private OpRegistry() {}

    private static final List<OpSpec<?>> SPECS;
    private static final LoweringTable TF_LOWERINGS = new LoweringTable();

    static {
        List<OpSpec<?>> all = new ArrayList<>();
        all.addAll(Linear.specs());
        all.addAll(Pooling.specs());
        all.addAll(Elementwise.specs());
        all.addAll(Activations.specs());
        all.addAll(Reductions.specs());
        all.addAll(Shapes.specs());
        all.addAll(Resizing.specs());
        all.addAll(Storage.specs());
        SPECS = Collections.unmodifiableList(all);
        Structure.lowerings(TF_LOWERINGS);
        Linear.lowerings(TF_LOWERINGS);
        Pooling.lowerings(TF_LOWERINGS);
        Elementwise.lowerings(TF_LOWERINGS);
        Activations.lowerings(TF_LOWERINGS);
        Reductions.lowerings(TF_LOWERINGS);
        Shapes.lowerings(TF_LOWERINGS);
        Resizing.lowerings(TF_LOWERINGS);
    }

    /** Every op spec. */
    public static List<OpSpec<?>> specs() { return SPECS; }

    /** Every TF op the families lower. */
    public static LoweringTable tfLowerings() { return TF_LOWERINGS; }
}
