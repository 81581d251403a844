package dev.mlpack.optimizer.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the shape rules of many ops share (see {@link OpSpec#shape()}). Shapes are static (batch fixed to 1). */
public final class ShapeRules {
    private ShapeRules() {}

    public static TensorType[] one(DType dtype, int... dims) { return new TensorType[] {new TensorType(dtype, Shape.of(dims))}; }

    public static TensorType[] same(Node n) { return one(n.input(0).dtype(), n.input(0).shape().dims()); }

    public static TensorType[] toFloat32(Node n) { return one(DType.FLOAT32, n.input(0).shape().dims()); }

    public static int[] broadcastDims(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static TensorType[] broadcast(Node n) {
        return one(n.input(0).dtype(), broadcastDims(n.input(0).shape().dims(), n.input(1).shape().dims()));
    }

    public static TensorType[] compare(Node n) {
        return one(DType.BOOL, broadcastDims(n.input(0).shape().dims(), n.input(1).shape().dims()));
    }

    public static TensorType[] select(Node n) {
        int[] dims = broadcastDims(n.input(0).shape().dims(), broadcastDims(n.input(1).shape().dims(), n.input(2).shape().dims()));
        return one(n.input(1).dtype(), dims);
    }

    public static int[] normalizedAxes(int[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        return out;
    }

    public static int[] resolveReshape(Shape in, int[] requested) {
        int[] out = requested.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) unknown = i;
            else known *= out[i];
        }
        if (unknown >= 0) out[unknown] = (int) (in.elementCount() / Math.max(known, 1));
        if (Shape.of(out).elementCount() != in.elementCount()) {
            throw new IllegalArgumentException("cannot reshape " + in + " to " + Arrays.toString(requested));
        }
        return out;
    }
}
