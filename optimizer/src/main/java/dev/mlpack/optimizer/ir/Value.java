package dev.mlpack.optimizer.ir;

/**
 * A tensor in the graph: produced by exactly one node, or a graph input, or a constant.
 * Identity is by reference; the name is only for the written model and error messages.
 */
public final class Value {
    private final String name;
    private final DType dtype;
    private final Shape shape;
    private final Constant constant;
    private Node producer;

    private Value(String name, DType dtype, Shape shape, Constant constant) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.constant = constant;
    }

    public static Value tensor(String name, DType dtype, Shape shape) { return new Value(name, dtype, shape, null); }

    public static Value constant(String name, Constant data) { return new Value(name, data.dtype(), data.shape(), data); }

    public String name() { return name; }

    public DType dtype() { return dtype; }

    public Shape shape() { return shape; }

    public boolean isConstant() { return constant != null; }

    /** The data of a constant value; throws for computed tensors. */
    public Constant data() {
        if (constant == null) throw new IllegalStateException(name + " is not a constant");
        return constant;
    }

    public Node producer() { return producer; }

    void setProducer(Node node) { this.producer = node; }

    @Override public String toString() { return name + ":" + dtype + shape; }
}
