package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * TF's StridedSlice semantics resolved against a static input shape: for every input dimension a start, a stride
 * and a count, plus where the output drops (shrink) or gains (new axis) a dimension.
 */
record StridedSlicePlan(int[] start, int[] stride, int[] count, boolean[] shrink, int[] outputDims) {

    static StridedSlicePlan of(Node n, Shapes.StridedSliceAttrs a) {
        int[] in = n.input(0).shape().dims();
        int[] begin = n.input(1).data().ints(), end = n.input(2).data().ints(), strides = n.input(3).data().ints();
        int beginMask = a.beginMask(), endMask = a.endMask(), ellipsisMask = a.ellipsisMask(), newAxisMask = a.newAxisMask();
        int shrinkMask = a.shrinkAxisMask();
        int rank = in.length;
        int[] start = new int[rank], stride = new int[rank], count = new int[rank];
        boolean[] shrink = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            stride[d] = 1;
            count[d] = in[d];
        }
        // Output dims in order; -1 marks "the next kept input dimension", -2 a new axis of size 1.
        List<int[]> layout = new ArrayList<>();
        int specs = begin.length;
        int consumingSpecs = 0;
        for (int i = 0; i < specs; i++) if ((newAxisMask & (1 << i)) == 0 && (ellipsisMask & (1 << i)) == 0) consumingSpecs++;
        int dim = 0;
        for (int i = 0; i < specs; i++) {
            int bit = 1 << i;
            if ((ellipsisMask & bit) != 0) {
                int covered = rank - consumingSpecs;
                for (int k = 0; k < covered; k++) layout.add(new int[] {dim++});
                continue;
            }
            if ((newAxisMask & bit) != 0) {
                layout.add(new int[] {-2});
                continue;
            }
            int size = in[dim];
            int s = strides[i];
            if (s == 0) throw new IllegalArgumentException("strided slice with stride 0");
            if ((shrinkMask & bit) != 0) {
                int b = begin[i] < 0 ? begin[i] + size : begin[i];
                start[dim] = b;
                count[dim] = 1;
                shrink[dim] = true;
                dim++;
                continue;
            }
            int b, e;
            if (s > 0) {
                b = (beginMask & bit) != 0 ? 0 : clamp(begin[i] < 0 ? begin[i] + size : begin[i], 0, size);
                e = (endMask & bit) != 0 ? size : clamp(end[i] < 0 ? end[i] + size : end[i], 0, size);
            } else {
                b = (beginMask & bit) != 0 ? size - 1 : clamp(begin[i] < 0 ? begin[i] + size : begin[i], -1, size - 1);
                e = (endMask & bit) != 0 ? -1 : clamp(end[i] < 0 ? end[i] + size : end[i], -1, size - 1);
            }
            start[dim] = b;
            stride[dim] = s;
            count[dim] = Math.max(0, s > 0 ? (e - b + s - 1) / s : (b - e + (-s) - 1) / (-s));
            layout.add(new int[] {dim});
            dim++;
        }
        while (dim < rank) layout.add(new int[] {dim++});
        int[] out = new int[layout.size()];
        for (int i = 0; i < out.length; i++) {
            int src = layout.get(i)[0];
            out[i] = src == -2 ? 1 : count[src];
        }
        return new StridedSlicePlan(start, stride, count, shrink, out);
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }
}
