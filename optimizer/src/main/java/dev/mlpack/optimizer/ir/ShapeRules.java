package dev.mlpack.optimizer.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Output type inference for every op in {@link Op}. Shapes are static (batch fixed to 1). */
final class ShapeRules {
    private ShapeRules() {}

    @FunctionalInterface
    interface Rule {
        TensorType[] infer(Node node);
    }

    private static TensorType[] one(DType dtype, int... dims) { return new TensorType[] {new TensorType(dtype, Shape.of(dims))}; }

    static TensorType[] same(Node n) { return one(n.input(0).dtype(), n.input(0).shape().dims()); }

    static TensorType[] toFloat32(Node n) { return one(DType.FLOAT32, n.input(0).shape().dims()); }

    static TensorType[] cast(Node n) { return one(n.attr("to"), n.input(0).shape().dims()); }

    static int[] broadcastDims(int[] a, int[] b) {
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

    static TensorType[] broadcast(Node n) {
        return one(n.input(0).dtype(), broadcastDims(n.input(0).shape().dims(), n.input(1).shape().dims()));
    }

    static TensorType[] compare(Node n) {
        return one(DType.BOOL, broadcastDims(n.input(0).shape().dims(), n.input(1).shape().dims()));
    }

    static TensorType[] select(Node n) {
        int[] dims = broadcastDims(n.input(0).shape().dims(), broadcastDims(n.input(1).shape().dims(), n.input(2).shape().dims()));
        return one(n.input(1).dtype(), dims);
    }

    static TensorType[] conv2d(Node n) {
        int[] x = n.input(0).shape().dims(), w = n.input(1).shape().dims();
        int[] s = n.attr("strides"), d = n.attr("dilations", new int[] {1, 1});
        String pad = n.attr("padding");
        return one(DType.FLOAT32, x[0], Window.outputLength(x[1], w[1], s[0], d[0], pad), Window.outputLength(x[2], w[2], s[1], d[1], pad), w[0]);
    }

    static TensorType[] depthwise(Node n) {
        int[] x = n.input(0).shape().dims(), w = n.input(1).shape().dims();
        int[] s = n.attr("strides"), d = n.attr("dilations", new int[] {1, 1});
        String pad = n.attr("padding");
        return one(DType.FLOAT32, x[0], Window.outputLength(x[1], w[1], s[0], d[0], pad), Window.outputLength(x[2], w[2], s[1], d[1], pad), w[3]);
    }

    static TensorType[] fullyConnected(Node n) {
        int[] x = n.input(0).shape().dims(), w = n.input(1).shape().dims();
        if (Boolean.TRUE.equals(n.attr("keep_num_dims"))) {
            int[] out = x.clone();
            out[out.length - 1] = w[0];
            return one(DType.FLOAT32, out);
        }
        long rows = n.input(0).shape().elementCount() / w[1];
        return one(DType.FLOAT32, (int) rows, w[0]);
    }

    static TensorType[] batchMatMul(Node n) {
        int[] x = n.input(0).shape().dims(), y = n.input(1).shape().dims();
        boolean adjX = n.attr("adj_x", false), adjY = n.attr("adj_y", false);
        int rows = adjX ? x[x.length - 1] : x[x.length - 2];
        int cols = adjY ? y[y.length - 2] : y[y.length - 1];
        int[] batch = broadcastDims(Arrays.copyOf(x, x.length - 2), Arrays.copyOf(y, y.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return one(DType.FLOAT32, out);
    }

    static TensorType[] pool(Node n) {
        int[] x = n.input(0).shape().dims(), k = n.attr("filter"), s = n.attr("strides");
        String pad = n.attr("padding");
        return one(n.input(0).dtype(), x[0], Window.outputLength(x[1], k[0], s[0], 1, pad), Window.outputLength(x[2], k[1], s[1], 1, pad), x[3]);
    }

    static int[] normalizedAxes(int[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        return out;
    }

    static TensorType[] reduce(Node n) {
        int[] x = n.input(0).shape().dims();
        int[] axes = normalizedAxes(n.input(1).data().ints(), x.length);
        boolean keep = n.attr("keep_dims", false);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            final int dim = i;
            boolean reduced = Arrays.stream(axes).anyMatch(a -> a == dim);
            if (!reduced) out.add(x[i]);
            else if (keep) out.add(1);
        }
        return one(n.input(0).dtype(), out.stream().mapToInt(Integer::intValue).toArray());
    }

    static TensorType[] concat(Node n) {
        int[] out = n.input(0).shape().dims();
        int axis = n.<Integer>attr("axis");
        if (axis < 0) axis += out.length;
        for (int i = 1; i < n.inputs().size(); i++) out[axis] += n.input(i).shape().dim(axis);
        return one(n.input(0).dtype(), out);
    }

    static int[] resolveReshape(Shape in, int[] requested) {
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

    static TensorType[] reshape(Node n) {
        return one(n.input(0).dtype(), resolveReshape(n.input(0).shape(), n.input(1).data().ints()));
    }

    static TensorType[] transpose(Node n) {
        int[] x = n.input(0).shape().dims(), perm = n.input(1).data().ints();
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) out[i] = x[perm[i]];
        return one(n.input(0).dtype(), out);
    }

    static TensorType[] pad(Node n) {
        int[] x = n.input(0).shape().dims(), p = n.input(1).data().ints();
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] + p[2 * i] + p[2 * i + 1];
        return one(n.input(0).dtype(), out);
    }

    static TensorType[] stridedSlice(Node n) {
        return one(n.input(0).dtype(), StridedSlicePlan.of(n).outputDims());
    }

    static TensorType[] slice(Node n) {
        int[] x = n.input(0).shape().dims(), begin = n.input(1).data().ints(), size = n.input(2).data().ints();
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = size[i] == -1 ? x[i] - begin[i] : size[i];
        return one(n.input(0).dtype(), out);
    }

    static TensorType[] pack(Node n) {
        int[] x = n.input(0).shape().dims();
        int axis = n.<Integer>attr("axis");
        if (axis < 0) axis += x.length + 1;
        int[] out = new int[x.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? n.inputs().size() : x[j++];
        return one(n.input(0).dtype(), out);
    }

    static TensorType[] shapeOf(Node n) { return one(n.attr("out_type", DType.INT32), n.input(0).shape().rank()); }

    static TensorType[] fill(Node n) { return one(n.input(1).dtype(), n.input(0).data().ints()); }

    static TensorType[] range(Node n) { return one(n.input(0).dtype(), Kernels.rangeLength(n)); }

    static TensorType[] gather(Node n) {
        int[] p = n.input(0).shape().dims(), idx = n.input(1).shape().dims();
        int axis = n.attr("axis", 0);
        if (axis < 0) axis += p.length;
        int[] out = new int[p.length - 1 + idx.length];
        int k = 0;
        for (int i = 0; i < axis; i++) out[k++] = p[i];
        for (int d : idx) out[k++] = d;
        for (int i = axis + 1; i < p.length; i++) out[k++] = p[i];
        return one(n.input(0).dtype(), out);
    }

    static TensorType[] resize(Node n) {
        int[] x = n.input(0).shape().dims(), size = n.input(1).data().ints();
        return one(n.input(0).dtype(), x[0], size[0], size[1], x[3]);
    }
}
