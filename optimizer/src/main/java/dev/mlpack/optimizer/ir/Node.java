package dev.mlpack.optimizer.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One operation, with its op's typed attributes (see {@link OpSpec#attributes()}).
 * {@code origin} is the TF node it came from and {@code layer} the Keras layer, kept for error messages.
 */
public final class Node {
    private final OpSpec<?> op;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private Attrs attrs;
    private final String origin;
    private final String layer;

    Node(OpSpec<?> op, List<Value> inputs, List<Value> outputs, Attrs attrs, String origin, String layer) {
        if (!op.attributes().isInstance(attrs)) {
            throw new IllegalArgumentException(op.name() + " takes " + op.attributes().getSimpleName() + " attributes, not " + attrs);
        }
        this.op = op;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = List.copyOf(outputs);
        this.attrs = attrs;
        this.origin = origin;
        this.layer = layer;
        for (Value v : outputs) v.setProducer(this);
    }

    public OpSpec<?> op() { return op; }

    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    /** Input {@code i}, or null when absent (for example a convolution without bias). */
    public Value input(int i) { return i < inputs.size() ? inputs.get(i) : null; }

    public List<Value> outputs() { return outputs; }

    public Value output() { return outputs.get(0); }

    public String origin() { return origin; }

    /** The Keras layer's name, or the TF node's when the importer had none: what layer options match against. */
    public String layerName() { return layer == null || layer.isEmpty() ? origin : layer; }

    public String layer() { return layer; }

    public Attrs attrs() { return attrs; }

    /** The fused activation, NONE for ops that take none. */
    public Activation activation() { return attrs instanceof FusedActivation f ? f.activation() : Activation.NONE; }

    /** Replaces the attributes (a pass fusing an activation); they must be of the op's type. */
    public void setAttrs(Attrs value) {
        if (!op.attributes().isInstance(value)) throw new IllegalArgumentException(op.name() + " takes " + op.attributes().getSimpleName());
        attrs = value;
    }

    void replaceInput(int index, Value v) { inputs.set(index, v); }

    void setInputs(List<Value> values) {
        inputs.clear();
        inputs.addAll(values);
    }

    /** Where it came from, for messages: {@code node 'x' (layer 'y')}. */
    public String describe() {
        return "node '" + origin + "'" + (layer == null || layer.isEmpty() ? "" : " (layer '" + layer + "')");
    }

    @Override public String toString() { return op + " " + origin + " " + inputs + " -> " + outputs; }
}
