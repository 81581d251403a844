package dev.mlpack.optimizer.ir;

import java.util.Objects;

/**
 * Everything the converter knows about one operation, in one record: its TFLite builtin code, its attribute type,
 * how its output types follow from its inputs (the shape rule), how it is computed on constants (the folder, for
 * ops that take part in shape arithmetic), its int8 kernel's constraints, what its inputs are (weights, bias), and
 * how it is written. Passes, the quantizer, the pruner and the writer ask the spec rather than test op codes.
 * The ops themselves are defined one family per file in {@code dev.mlpack.optimizer.ops}, next to the TF lowerings
 * that produce them.
 *
 * @param name TFLite's name for the op (or mlpack's, for the few rewritten before writing)
 * @param builtinCode TFLite BuiltinOperator code, or -1 for an op rewritten into others before writing
 * @param attributes the type of its nodes' {@link Attrs}
 * @param shape output types from the inputs and attributes
 * @param folder the output computed from constant inputs, or null when the op is never folded
 * @param int8 the int8 kernel's constraints
 * @param roles what its inputs are
 * @param encoding how it is written (null for ops rewritten before writing)
 * @param foldsFromShapes whether its output depends on its inputs' static shapes only (SHAPE), so that it folds
 *     even when they are computed at run time
 */
public record OpSpec<A extends Attrs>(String name, int builtinCode, Class<A> attributes, ShapeRule<A> shape, Folder<A> folder,
                                      Int8Spec int8, OperandRoles roles, Encoding<A> encoding, boolean foldsFromShapes) {
    /** Output types of a node. */
    @FunctionalInterface
    public interface ShapeRule<A> {
        TensorType[] infer(Node n, A attrs);
    }

    /** The single output of a node whose inputs are all constant. */
    @FunctionalInterface
    public interface Folder<A> {
        Constant fold(Node n, A attrs);
    }

    public OpSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(attributes, "attributes");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(int8, "int8");
        Objects.requireNonNull(roles, "roles");
        if (builtinCode >= 0) Objects.requireNonNull(encoding, name + " is written, so it needs an encoding");
    }

    public static <A extends Attrs> Builder<A> builder(String name, int builtinCode, Class<A> attributes) {
        return new Builder<>(name, builtinCode, attributes);
    }

    /** An op without attributes. */
    public static Builder<Attrs.None> builder(String name, int builtinCode) {
        return new Builder<>(name, builtinCode, Attrs.None.class);
    }

    /** The node's attributes, of this op's type. */
    public A attrs(Node n) { return attributes.cast(n.attrs()); }

    public TensorType[] infer(Node n) { return shape.infer(n, attrs(n)); }

    public boolean canFold() { return folder != null; }

    /** Whether it folds even with inputs computed at run time (see {@link #foldsFromShapes}). */
    public boolean foldsWithoutConstantInputs() { return foldsFromShapes; }

    public Constant fold(Node n) { return folder.fold(n, attrs(n)); }

    /** Whether TFLite writes this op as it is (else a pass rewrites it first). */
    public boolean writable() { return builtinCode >= 0; }

    /** Whether its kernel applies a fused activation (its attributes carry one). */
    public boolean fusesActivation() { return FusedActivation.class.isAssignableFrom(attributes); }

    @Override public String toString() { return name; }

    @Override public boolean equals(Object o) { return this == o; }

    @Override public int hashCode() { return System.identityHashCode(this); }

    public static final class Builder<A extends Attrs> {
        private final String name;
        private final int builtinCode;
        private final Class<A> attributes;
        private ShapeRule<A> shape;
        private Folder<A> folder;
        private Int8Spec int8 = Int8Spec.FLOAT_ONLY;
        private OperandRoles roles = OperandRoles.ACTIVATION;
        private Encoding<A> encoding;
        private boolean foldsFromShapes;

        private Builder(String name, int builtinCode, Class<A> attributes) {
            this.name = name;
            this.builtinCode = builtinCode;
            this.attributes = attributes;
        }

        public Builder<A> shape(ShapeRule<A> rule) { this.shape = rule; return this; }

        public Builder<A> folder(Folder<A> f) { this.folder = f; return this; }

        public Builder<A> int8(Int8Spec spec) { this.int8 = spec; return this; }

        public Builder<A> roles(OperandRoles r) { this.roles = r; return this; }

        public Builder<A> encoding(Encoding<A> e) { this.encoding = e; return this; }

        /** Its output depends on its inputs' static shapes only. */
        public Builder<A> foldsFromShapes() { this.foldsFromShapes = true; return this; }

        public OpSpec<A> build() {
            return new OpSpec<>(name, builtinCode, attributes, shape, folder, int8, roles, encoding, foldsFromShapes);
        }
    }
}
