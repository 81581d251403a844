package dev.mlpack.optimizer.ir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of a graph that later passes can rewrite without touching the original, so that a search imports the
 * SavedModel once and converts many variants, or quantization tries several settings on one calibration.
 * Constant values are shared: they are immutable.
 */
public final class GraphCopy {
    private GraphCopy() {}

    /** A copy and the copy of each value of the source (constants map to themselves). */
    public record Copied(Graph graph, Map<Value, Value> map) {}

    /** Sorts {@code source} topologically (the order of nodes is all that changes there), then copies it. */
    public static Graph of(Graph source) { return copied(source).graph(); }

    public static Copied copied(Graph source) {
        source.sortTopologically();
        Graph copy = new Graph();
        Map<Value, Value> map = new IdentityHashMap<>();
        source.inputs().forEach((name, v) -> map.put(v, copy.addInput(name, v.dtype(), v.shape())));
        for (Node n : source.nodes()) {
            List<Value> inputs = new ArrayList<>(n.inputs().size());
            for (Value v : n.inputs()) inputs.add(v == null ? null : map.getOrDefault(v, v));
            Node c = copy.addLike(n, inputs, n.origin(), n.layer());
            for (int i = 0; i < n.outputs().size(); i++) map.put(n.outputs().get(i), c.outputs().get(i));
        }
        source.outputs().forEach((name, v) -> copy.setOutput(name, map.getOrDefault(v, v)));
        return new Copied(copy, map);
    }
}
