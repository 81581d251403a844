package dev.mlpack.optimizer.ir;

/**
 * The typed attributes of a node: one immutable record type per kind of op, declared by its {@link OpSpec}
 * (strides and padding for a convolution, the axis of a concatenation, ...). {@link #NONE} for ops without any.
 */
public interface Attrs {
    /** The attributes of ops that have none. */
    None NONE = new None();

    record None() implements Attrs {}
}
