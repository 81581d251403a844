package dev.mlpack.runtime.tflite;

import java.util.Arrays;

/**
 * Description of one tensor of an interpreter: its index in the interpreter's tensor table, its
 * name as written by the converter, element type, shape and quantization.
 *
 * <p>Immutable; {@link #shape()} returns a copy.
 */
public record TensorInfo(int index, String name, DataType dataType, int[] shape, Quantization quantization) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements, the product of the shape (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && index == t.index
                && name.equals(t.name)
                && dataType == t.dataType
                && Arrays.equals(shape, t.shape)
                && quantization.equals(t.quantization);
    }

    @Override
    public int hashCode() {
        return ((index * 31 + name.hashCode()) * 31 + dataType.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "#" + index + " '" + name + "' " + dataType + Arrays.toString(shape)
                + (quantization.isQuantized() ? " (" + quantization + ")" : "");
    }
}
