package dev.mlpack.optimizer.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operation. Attributes are plain Java values (Integer, Float, Boolean, String, int[], Activation).
 * {@code origin} is the TF node it came from and {@code layer} the Keras layer, kept for error messages.
 */
public final class Node {
    private final Op op;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final Map<String, Object> attrs;
    private final String origin;
    private final String layer;

    Node(Op op, List<Value> inputs, List<Value> outputs, Map<String, Object> attrs, String origin, String layer) {
        this.op = op;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = List.copyOf(outputs);
        this.attrs = new LinkedHashMap<>(attrs);
        this.origin = origin;
        this.layer = layer;
        for (Value v : outputs) v.setProducer(this);
    }

    public Op op() { return op; }

    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }

    /** Input {@code i}, or null when absent (for example a convolution without bias). */
    public Value input(int i) { return i < inputs.size() ? inputs.get(i) : null; }

    public List<Value> outputs() { return outputs; }

    public Value output() { return outputs.get(0); }

    public String origin() { return origin; }

    /** The Keras layer's name, or the TF node's when the importer had none: what layer options match against. */
    public String layerName() { return layer == null || layer.isEmpty() ? origin : layer; }

    public String layer() { return layer; }

    public Map<String, Object> attrs() { return Collections.unmodifiableMap(attrs); }

    @SuppressWarnings("unchecked")
    public <T> T attr(String key) { return (T) attrs.get(key); }

    public <T> T attr(String key, T fallback) {
        @SuppressWarnings("unchecked") T v = (T) attrs.get(key);
        return v == null ? fallback : v;
    }

    public int intAttr(String key, int fallback) { return attr(key, fallback); }

    public void setAttr(String key, Object value) { attrs.put(key, value); }

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
