package dev.mlpack.optimizer.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A dataflow graph of {@link Node}s between named graph inputs and outputs. Passes mutate it in place through the
 * few operations here, which keep producers and uses consistent.
 */
public final class Graph {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Value> inputs = new LinkedHashMap<>();
    private final Map<String, Value> outputs = new LinkedHashMap<>();
    private final Map<String, Integer> nameCounts = new HashMap<>();

    public Map<String, Value> inputs() { return inputs; }

    public Map<String, Value> outputs() { return outputs; }

    public List<Node> nodes() { return List.copyOf(nodes); }

    public Value addInput(String name, DType dtype, Shape shape) {
        Value v = Value.tensor(uniqueName(name), dtype, shape);
        inputs.put(name, v);
        return v;
    }

    public void setOutput(String name, Value value) { outputs.put(name, value); }

    /** A new graph input of the same shape in place of input {@code name}; readers still point at the old one. */
    public Value replaceInput(String name, DType dtype) {
        Value old = inputs.get(name);
        Value v = Value.tensor(uniqueName(name), dtype, old.shape());
        inputs.put(name, v);
        return v;
    }

    public Value constant(String name, Constant data) { return Value.constant(uniqueName(name), data); }

    /** Adds a node and infers its outputs' types from its op's shape rule. */
    public <A extends Attrs> Node add(OpSpec<A> op, List<Value> inputs, A attrs, String origin, String layer) {
        return addNode(op, inputs, attrs, origin, layer);
    }

    /** Adds a node of an op without attributes. */
    public Node add(OpSpec<Attrs.None> op, List<Value> inputs, String origin, String layer) {
        return addNode(op, inputs, Attrs.NONE, origin, layer);
    }

    /**
     * Adds a node of an op without attributes whose output takes over {@code old}: it has old's name (the written
     * tensor's name), and every reader of old reads it instead. For storage rewrites of a constant (a DEQUANTIZE of
     * its float16 copy, a DENSIFY of its sparse copy) that leave the model's tensors as they were named.
     */
    public Node addReplacing(Value old, OpSpec<Attrs.None> op, List<Value> inputs, String layer) {
        Node probe = new Node(op, inputs, List.of(), Attrs.NONE, old.name(), layer);
        TensorType[] types = op.infer(probe);
        Node node = new Node(op, inputs, List.of(Value.tensor(old.name(), types[0].dtype(), types[0].shape())), Attrs.NONE, old.name(), layer);
        nodes.add(node);
        replaceAllUses(old, node.output());
        return node;
    }

    /** Adds a copy of {@code node}'s op and attributes on other inputs. */
    public Node addLike(Node node, List<Value> inputs, String origin, String layer) {
        return addNode(node.op(), inputs, node.attrs(), origin, layer);
    }

    private Node addNode(OpSpec<?> op, List<Value> inputs, Attrs attrs, String origin, String layer) {
        Node probe = new Node(op, inputs, List.of(), attrs, origin, layer);
        TensorType[] types = op.infer(probe);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            outs.add(Value.tensor(uniqueName(i == 0 ? origin : origin + ":" + i), types[i].dtype(), types[i].shape()));
        }
        Node node = new Node(op, inputs, outs, attrs, origin, layer);
        nodes.add(node);
        return node;
    }

    /** Removes a node; callers first point its readers elsewhere. */
    public void remove(Node node) { nodes.remove(node); }

    private String uniqueName(String base) {
        int n = nameCounts.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "_" + (n - 1);
    }

    /** Every node that reads {@code v}. */
    public List<Node> consumers(Value v) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) if (n.inputs().contains(v)) out.add(n);
        return out;
    }

    /** Consumers of every value at once, for passes that look at many values. */
    public Map<Value, List<Node>> consumerIndex() {
        Map<Value, List<Node>> index = new IdentityHashMap<>();
        for (Node n : nodes) {
            for (Value v : n.inputs()) if (v != null) index.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        }
        return index;
    }

    public boolean isGraphOutput(Value v) { return outputs.containsValue(v); }

    /** Points every reader of {@code old} (nodes and graph outputs) at {@code replacement}. */
    public void replaceAllUses(Value old, Value replacement) {
        for (Node n : nodes) {
            List<Value> in = n.inputs();
            for (int i = 0; i < in.size(); i++) if (in.get(i) == old) n.replaceInput(i, replacement);
        }
        outputs.replaceAll((k, v) -> v == old ? replacement : v);
    }

    public void setInputs(Node node, List<Value> values) { node.setInputs(values); }

    public void setInput(Node node, int index, Value value) {
        List<Value> values = new ArrayList<>(node.inputs());
        while (values.size() <= index) values.add(null);
        values.set(index, value);
        node.setInputs(values);
    }

    /** Drops nodes whose outputs nobody reads. */
    public void removeDeadNodes() {
        Set<Value> live = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(outputs.values());
        Deque<Value> work = new ArrayDeque<>(live);
        while (!work.isEmpty()) {
            Node p = work.pop().producer();
            if (p == null || !nodes.contains(p)) continue;
            for (Value in : p.inputs()) if (in != null && live.add(in)) work.push(in);
        }
        nodes.removeIf(n -> n.outputs().stream().noneMatch(live::contains));
    }

    /** Orders nodes so that every node comes after the producers of its inputs; stable for determinism. */
    public void sortTopologically() {
        Set<Node> present = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        present.addAll(nodes);
        List<Node> ordered = new ArrayList<>(nodes.size());
        Set<Node> done = new HashSet<>();
        for (Node n : new ArrayList<>(nodes)) visit(n, present, done, ordered, new HashSet<>());
        nodes.clear();
        nodes.addAll(ordered);
    }

    private void visit(Node root, Set<Node> present, Set<Node> done, List<Node> ordered, Set<Node> onPath) {
        // Iterative DFS: deep nets (DenseNet, NASNet) overflow the stack when recursing on thousands of nodes.
        Deque<Object[]> stack = new ArrayDeque<>();
        if (done.contains(root)) return;
        stack.push(new Object[] {root, 0});
        onPath.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node n = (Node) frame[0];
            int i = (Integer) frame[1];
            if (i < n.inputs().size()) {
                frame[1] = i + 1;
                Value in = n.inputs().get(i);
                Node p = in == null ? null : in.producer();
                if (p != null && present.contains(p) && !done.contains(p)) {
                    if (!onPath.add(p)) throw new IllegalStateException("cycle through " + p.describe());
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                onPath.remove(n);
                if (done.add(n)) ordered.add(n);
            }
        }
    }

    /** Op name to count, for reports. */
    public Map<String, Integer> opHistogram() {
        Map<String, Integer> h = new java.util.TreeMap<>();
        for (Node n : nodes) h.merge(n.op().name(), 1, Integer::sum);
        return h;
    }
}
