package dev.mlpack.optimizer.tflite;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OperandRoles;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ops.Storage;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites that choose how constants are stored, as explicit nodes, so that the graph that is measured, counted and
 * inspected is the one written: float16 weights behind a DEQUANTIZE, and pruned kernels in TFLite's sparse format
 * behind a DENSIFY. Each keeps the replaced constant's name on the tensor its readers read.
 */
public final class WeightStorage {
    /** Below this many values a float16 copy and a DEQUANTIZE cost more than they save. */
    static final int MIN_FLOAT16_ELEMENTS = 16;

    private WeightStorage() {}

    /** Every float32 constant of at least {@value #MIN_FLOAT16_ELEMENTS} values becomes float16 plus a DEQUANTIZE. */
    public static void float16(Graph graph) {
        Map<Value, Boolean> done = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            for (Value v : n.inputs()) {
                if (v == null || !v.isConstant() || v.dtype() != DType.FLOAT32 || v.shape().elementCount() < MIN_FLOAT16_ELEMENTS
                        || done.put(v, true) != null) {
                    continue;
                }
                Value half = graph.constant(v.name() + "/float16", v.data().castTo(DType.FLOAT16));
                graph.addReplacing(v, Storage.DEQUANTIZE, List.of(half), n.layer());
            }
        }
        graph.sortTopologically();
    }

    /**
     * Stores in TFLite's sparse format every constant weight kernel that would be smaller so (see
     * {@link SparseEncoding}), expanded by a DENSIFY before its reader; {@code params} are the quantization
     * parameters of an int8 model (empty for float), which the sparse and the dense copies share.
     *
     * @return the quantization parameters with those of the new tensors
     */
    public static Map<Value, QuantParams> sparse(Graph graph, Map<Value, QuantParams> params) {
        Map<Value, QuantParams> out = new IdentityHashMap<>(params);
        Map<Value, Boolean> done = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            OperandRoles roles = n.op().roles();
            if (!roles.constantWeights(n)) continue;
            Value w = n.input(roles.weights());
            // Not for hybrid kernels (int8 weights, float input): TF 2.21's XNNPACK delegate fails to prepare them behind
            // DENSIFY, and the whole model then fails to load.
            boolean hybrid = params.containsKey(w) && !params.containsKey(n.input(roles.activation()));
            if (hybrid || done.put(w, true) != null) continue;
            QuantParams q = params.get(w);
            DType stored = q != null ? q.storage() : w.dtype();
            if (q == null && stored != DType.FLOAT32) continue;
            Constant data = q != null ? Constant.ofLongs(stored, w.shape(), q.quantize(w.data())) : w.data();
            if (SparseEncoding.smallest(data, TfliteWriter.encode(data, stored), stored.byteSize()) == null) continue;
            Value packed = graph.constant(w.name() + "/sparse", w.data().asSparse());
            Node densify = graph.addReplacing(w, Storage.DENSIFY, List.of(packed), n.layer());
            if (q != null) {
                out.put(packed, q);
                out.put(densify.output(), q);
                out.remove(w);
            }
        }
        graph.sortTopologically();
        return out;
    }
}
