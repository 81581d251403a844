package dev.mlpack.optimizer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * TF nodes named by their op type, for tests that must build exactly one TF op (a table of cases reads as "op X with
 * these attributes on these inputs", whatever TF Java's wrapper for X is called or builds), and the op types a
 * written SavedModel holds.
 */
public final class TfNodes {
    private TfNodes() {}

    /**
     * Output 0 of a node of op {@code type}. TF infers the type attributes ({@code T}...) from the inputs; an input
     * given as a {@link List} of operands is a list input (ConcatV2's values, Pack's, IdentityN's).
     */
    @SuppressWarnings("unchecked")
    public static <T extends TType> Output<T> node(Ops tf, String type, Map<String, Object> attrs, Object... inputs) {
        return (Output<T>) operation(tf, type, attrs, inputs).output(0);
    }

    /** A node of op {@code type}, as {@link #node} makes it, for ops without outputs (SaveV2, AssignVariableOp). */
    public static Operation operation(Ops tf, String type, Map<String, Object> attrs, Object... inputs) {
        Scope scope = tf.scope();
        OperationBuilder b = scope.env().opBuilder(type, scope.makeOpName(type), scope);
        for (Object in : inputs) {
            if (in instanceof List<?> list) b.addInputList(list.stream().map(o -> ((Operand<?>) o).asOutput()).toArray(Output[]::new));
            else b.addInput(((Operand<?>) in).asOutput());
        }
        attrs.forEach((name, value) -> {
            switch (value) {
                case Long v -> b.setAttr(name, v);
                case Integer v -> b.setAttr(name, v.longValue());
                case long[] v -> b.setAttr(name, v);
                case Float v -> b.setAttr(name, v);
                case Boolean v -> b.setAttr(name, v);
                case String v -> b.setAttr(name, v);
                case DataType v -> b.setAttr(name, v);
                case DataType[] v -> b.setAttr(name, v);
                case Shape v -> b.setAttr(name, v);
                case Shape[] v -> b.setAttr(name, v);
                case org.tensorflow.ConcreteFunction v -> b.setAttr(name, v);
                default -> throw new IllegalArgumentException("attribute " + name + ": " + value.getClass());
            }
        });
        return b.build();
    }

    /** A node without attributes besides those TF infers. */
    public static <T extends TType> Output<T> node(Ops tf, String type, Object... inputs) {
        return node(tf, type, Map.of(), inputs);
    }

    /** Attributes in the order given: name, value, name, value... */
    public static Map<String, Object> attrs(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], nameValue[i + 1]);
        return m;
    }

    public static long[] longs(long... v) { return v; }

    /** A float32 constant of these dimensions with distinct values in [-1, 1], the same on every run. */
    public static Operand<TFloat32> weights(Ops tf, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = ((i * 7919 + 13) % 41 - 20) / 20f;
        return tf.constant(Shape.of(java.util.Arrays.stream(dims).asLongStream().toArray()), DataBuffers.of(v));
    }

    /** The op types of every node in a SavedModel's serving graph and its function library. */
    public static Set<String> opTypes(Path savedModel) {
        Set<String> ops = new TreeSet<>();
        try {
            for (MetaGraphDef mg : SavedModel.parseFrom(Files.readAllBytes(savedModel.resolve("saved_model.pb"))).getMetaGraphsList()) {
                for (NodeDef n : mg.getGraphDef().getNodeList()) ops.add(n.getOp());
                for (FunctionDef f : mg.getGraphDef().getLibrary().getFunctionList()) {
                    for (NodeDef n : f.getNodeDefList()) ops.add(n.getOp());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ops;
    }
}
