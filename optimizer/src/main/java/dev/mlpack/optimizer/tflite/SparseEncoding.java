package dev.mlpack.optimizer.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mlpack.optimizer.ir.Constant;
import java.io.ByteArrayOutputStream;
import org.tensorflow.lite.schema.DimensionMetadata;
import org.tensorflow.lite.schema.DimensionType;
import org.tensorflow.lite.schema.Int32Vector;
import org.tensorflow.lite.schema.SparseIndexVector;
import org.tensorflow.lite.schema.SparsityParameters;
import org.tensorflow.lite.schema.Uint16Vector;
import org.tensorflow.lite.schema.Uint8Vector;

/**
 * A constant in TFLite's sparse tensor format: every dimension dense except the last (the input channels of an
 * OHWI, [1, H, W, C] or [M, K] kernel), which is compressed (CSR) in runs of {@code block} values, one index per
 * run. This is the layout TensorFlow's own converter writes for pruned kernels (block 1), read back by the DENSIFY
 * kernel. Index arrays use the narrowest type that holds them (uint8, uint16 or int32), as the schema allows.
 */
final class SparseEncoding {
    /** The run lengths tried; the smallest encoding wins. A partly zero run is stored whole, zeros included. */
    private static final int[] BLOCKS = {1, 4, 8, 16};

    final int[] dims;
    final int block;
    final byte[] values;
    final int[] segments;
    final int[] indices;

    private SparseEncoding(int[] dims, int block, byte[] values, int[] segments, int[] indices) {
        this.dims = dims;
        this.block = block;
        this.values = values;
        this.segments = segments;
        this.indices = indices;
    }

    /**
     * The smallest sparse encoding of {@code c} stored as {@code dense} (its little-endian bytes, {@code elementSize}
     * per value), or null when none is smaller than the dense bytes.
     */
    static SparseEncoding smallest(Constant c, byte[] dense, int elementSize) {
        int[] dims = c.shape().dims();
        if (dims.length == 0) return null;
        SparseEncoding best = null;
        long bestBytes = dense.length;
        for (int b : BLOCKS) {
            SparseEncoding e = encode(c, dims, dense, elementSize, b);
            if (e != null && e.bytes() < bestBytes) {
                best = e;
                bestBytes = e.bytes();
            }
        }
        return best;
    }

    private static SparseEncoding encode(Constant c, int[] dims, byte[] dense, int elementSize, int block) {
        int last = dims[dims.length - 1];
        if (last % block != 0) return null;
        int rows = c.size() / last, runs = last / block;
        int[] segments = new int[rows + 1];
        int[] indexBuf = new int[rows * runs];
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        int kept = 0;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < runs; k++) {
                int start = r * last + k * block;
                int nonZero = 0;
                for (int i = start; i < start + block; i++) if (c.floatAt(i) != 0) nonZero++;
                if (nonZero == 0) continue;
                indexBuf[kept++] = k;
                values.write(dense, start * elementSize, block * elementSize);
            }
            segments[r + 1] = kept;
        }
        return new SparseEncoding(dims, block, values.toByteArray(), segments, java.util.Arrays.copyOf(indexBuf, kept));
    }

    /** Bytes of values and index arrays, the part that replaces the dense buffer. */
    long bytes() {
        return values.length + (long) segments.length * width(segments) + (long) indices.length * width(indices);
    }

    private static int width(int[] a) {
        int max = 0;
        for (int v : a) max = Math.max(max, v);
        return max <= 0xFF ? 1 : max <= 0xFFFF ? 2 : 4;
    }

    /** The SparsityParameters table for this encoding. */
    int write(FlatBufferBuilder fb) {
        int rank = dims.length;
        boolean blocked = block > 1;
        int levels = rank + (blocked ? 1 : 0);
        int[] metadata = new int[levels];
        for (int d = 0; d < rank - 1; d++) metadata[d] = dense(fb, dims[d]);
        int segs = indexVector(fb, segments), idx = indexVector(fb, indices);
        DimensionMetadata.startDimensionMetadata(fb);
        DimensionMetadata.addFormat(fb, DimensionType.SPARSE_CSR);
        DimensionMetadata.addArraySegmentsType(fb, indexType(segments));
        DimensionMetadata.addArraySegments(fb, segs);
        DimensionMetadata.addArrayIndicesType(fb, indexType(indices));
        DimensionMetadata.addArrayIndices(fb, idx);
        metadata[rank - 1] = DimensionMetadata.endDimensionMetadata(fb);
        if (blocked) metadata[rank] = dense(fb, block);
        int[] order = new int[levels];
        for (int i = 0; i < levels; i++) order[i] = i;
        int orderVec = SparsityParameters.createTraversalOrderVector(fb, order);
        int blockMap = blocked ? SparsityParameters.createBlockMapVector(fb, new int[] {rank - 1}) : 0;
        int metaVec = SparsityParameters.createDimMetadataVector(fb, metadata);
        return SparsityParameters.createSparsityParameters(fb, orderVec, blockMap, metaVec);
    }

    private static int dense(FlatBufferBuilder fb, int size) {
        DimensionMetadata.startDimensionMetadata(fb);
        DimensionMetadata.addFormat(fb, DimensionType.DENSE);
        DimensionMetadata.addDenseSize(fb, size);
        return DimensionMetadata.endDimensionMetadata(fb);
    }

    private static byte indexType(int[] a) {
        return switch (width(a)) {
            case 1 -> SparseIndexVector.Uint8Vector;
            case 2 -> SparseIndexVector.Uint16Vector;
            default -> SparseIndexVector.Int32Vector;
        };
    }

    private static int indexVector(FlatBufferBuilder fb, int[] a) {
        switch (width(a)) {
            case 1 -> {
                byte[] b = new byte[a.length];
                for (int i = 0; i < a.length; i++) b[i] = (byte) a[i];
                return Uint8Vector.createUint8Vector(fb, Uint8Vector.createValuesVector(fb, b));
            }
            case 2 -> {
                return Uint16Vector.createUint16Vector(fb, Uint16Vector.createValuesVector(fb, a));
            }
            default -> {
                return Int32Vector.createInt32Vector(fb, Int32Vector.createValuesVector(fb, a));
            }
        }
    }
}
