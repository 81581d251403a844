package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * What a lowering rule sees of one TF node: its attributes, its inputs (resolved only when asked, so that dead
 * branches such as the random choice of an augmentation layer are never imported), and a way to emit IR nodes.
 * Asking for an input that is not imported yet abandons the rule (the importer imports the input and runs the rule
 * again); what the rule emitted before that is handed back on the next run by {@link EmitReplay}, not emitted twice.
 */
public final class LoweringContext {
    private final NodeDef node;
    private final org.tensorflow.proto.OpDef opDef;
    private final List<String> dataInputs;
    private final IntFunction<Value> resolver;
    private final Graph graph;
    private final String origin;
    private final String layer;
    private final TrainingMode trainingMode;
    private final EmitReplay replay;

    /**
     * How to treat layers traced in training mode: keep their batch statistics, or use their moving ones and record
     * that in {@code repairs}.
     */
    public record TrainingMode(boolean keep, ImportRepairs.Recorder repairs) {}

    LoweringContext(NodeDef node, org.tensorflow.proto.OpDef opDef, IntFunction<Value> resolver, Graph graph, String origin,
                    String layer, TrainingMode trainingMode, EmitReplay replay) {
        this.node = node;
        this.opDef = opDef;
        this.dataInputs = node.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
        this.resolver = resolver;
        this.graph = graph;
        this.origin = origin;
        this.layer = layer;
        this.trainingMode = trainingMode;
        this.replay = replay;
    }

    /** The Keras layer the node belongs to, or "" when its name shows none. */
    public String layer() { return layer; }

    public TrainingMode trainingMode() { return trainingMode; }

    public String opType() { return node.getOp(); }

    public int inputCount() { return dataInputs.size(); }

    public Value input(int i) { return resolver.apply(i); }

    /** Input {@code i}, which must be constant (after folding) for the op to be convertible. */
    public Constant constantInput(int i, String role) {
        Value v = input(i);
        if (!v.isConstant()) throw unsupported(opType() + " with a " + role + " computed at run time");
        return v.data();
    }

    public List<Value> inputs() {
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < inputCount(); i++) out.add(input(i));
        return out;
    }

    /** Whether the attribute is set on the node or has a registered default (function bodies omit defaults). */
    public boolean hasAttr(String name) { return node.containsAttr(name) || defaultOf(name) != null; }

    public AttrValue attr(String name) {
        AttrValue v = node.getAttrMap().get(name);
        if (v != null) return v;
        AttrValue d = defaultOf(name);
        return d != null ? d : AttrValue.getDefaultInstance();
    }

    private AttrValue defaultOf(String name) {
        if (opDef == null) return null;
        for (var a : opDef.getAttrList()) if (a.getName().equals(name) && a.hasDefaultValue()) return a.getDefaultValue();
        return null;
    }

    public long intAttr(String name, long fallback) { return hasAttr(name) ? attr(name).getI() : fallback; }

    public float floatAttr(String name, float fallback) { return hasAttr(name) ? attr(name).getF() : fallback; }

    public boolean boolAttr(String name, boolean fallback) { return hasAttr(name) ? attr(name).getB() : fallback; }

    public String stringAttr(String name, String fallback) { return hasAttr(name) ? attr(name).getS().toStringUtf8() : fallback; }

    public int[] intsAttr(String name) { return attr(name).getList().getIList().stream().mapToInt(Long::intValue).toArray(); }

    public String origin() { return origin; }

    /**
     * Adds an IR node, or folds it to a constant right away when all its inputs are constant, so that shape
     * arithmetic (Shape, StridedSlice, Pack...) never reaches the written model.
     */
    public <A extends Attrs> Value emit(OpSpec<A> op, List<Value> inputs, A attrs) {
        return replay.once(op.name(), () -> emitNow(op, inputs, attrs));
    }

    private <A extends Attrs> Value emitNow(OpSpec<A> op, List<Value> inputs, A attrs) {
        Node n;
        try {
            n = graph.add(op, inputs, attrs, origin, layer);
        } catch (RuntimeException e) {
            throw new ConversionException(ConversionException.Kind.UNSUPPORTED,
                    "cannot convert " + opType() + " at " + describe() + ": " + e.getMessage());
        }
        boolean allConstant = inputs.stream().allMatch(v -> v != null && v.isConstant());
        if ((allConstant || op.foldsWithoutConstantInputs()) && op.canFold()) {
            graph.remove(n);
            return graph.constant(origin, op.fold(n));
        }
        return n.output();
    }

    /** {@link #emit(OpSpec, List, Attrs)} for an op without attributes. */
    public Value emit(OpSpec<Attrs.None> op, Value... inputs) { return emit(op, List.of(inputs), Attrs.NONE); }

    public Value constant(String suffix, Constant c) { return replay.once(suffix, () -> graph.constant(origin + "/" + suffix, c)); }

    public String describe() {
        return "node '" + origin + "'" + (layer.isEmpty() ? "" : " (layer '" + layer + "')");
    }

    public ConversionException unsupported(String what) {
        return new ConversionException(ConversionException.Kind.UNSUPPORTED, "unsupported: " + what + " at " + describe()
                + "; remove or replace that layer, or report the op to the mlpack issue tracker");
    }
}
