package dev.mlpack.optimizer.ir;

import java.util.Arrays;

/** A static tensor shape. The converter fixes the batch dimension to 1, so every dimension is known. */
public record Shape(int[] dims) {
    public static final Shape SCALAR = new Shape(new int[0]);

    public Shape {
        dims = dims.clone();
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("unknown dimension in " + Arrays.toString(dims));
        }
    }

    public static Shape of(int... dims) { return new Shape(dims); }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i < 0 ? dims.length + i : i]; }

    public int[] dims() { return dims.clone(); }

    public long elementCount() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() { return Arrays.toString(dims); }
}
