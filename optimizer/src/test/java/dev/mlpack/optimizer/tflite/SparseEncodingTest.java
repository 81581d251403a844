package dev.mlpack.optimizer.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.optimizer.testing.WrittenModel;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.DimensionMetadata;
import org.tensorflow.lite.schema.DimensionType;
import org.tensorflow.lite.schema.Int32Vector;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.SparseIndexVector;
import org.tensorflow.lite.schema.SparsityParameters;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;
import org.tensorflow.lite.schema.Uint16Vector;
import org.tensorflow.lite.schema.Uint8Vector;
import org.tensorflow.types.TFloat32;

/**
 * {@code --sparse-encoding}: a kernel with enough zeros is stored in TFLite's sparse tensor format (every dimension
 * dense but the last, compressed in runs of 1, 4, 8 or 16 values, whichever is smallest, indices in the narrowest
 * type that holds them) and expanded by a DENSIFY op before its reader. Read back from the file and expanded here by
 * the format's definition, it is exactly the dense kernel; the model computes exactly what the dense model computes,
 * in a smaller file; a kernel that sparse storage would not shrink stays dense.
 */
class SparseEncodingTest {
    @TempDir Path tmp;

    private static final float[] IMAGE = new float[48];

    static {
        for (int i = 0; i < IMAGE.length; i++) IMAGE[i] = (i * 37 % 48) / 4f;
    }

    /** The sparse kernel as the file stores it, and the layout it was stored in. */
    record Stored(float[] dense, int block, byte segmentsType, byte indicesType) {}

    /**
     * A dense layer over the image repeated {@code copies} times (so {@code 48 * copies} inputs) with {@code units}
     * outputs, whose weight for output n from input k is {@code weight(n, k)}.
     */
    private Path denseLayer(String name, int copies, int units, IntBinaryOperator zeroWhen) {
        int inputs = 48 * copies;
        float[] w = new float[inputs * units];
        for (int k = 0; k < inputs; k++) {
            for (int n = 0; n < units; n++) w[k * units + n] = zeroWhen.applyAsInt(n, k) != 0 ? 0 : ((k * 31 + n * 17) % 19 - 9) / 9f;
        }
        return TinySavedModels.export(tmp.resolve(name), (tf, x) -> {
            Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {1, 48}));
            Operand<TFloat32> repeated = copies == 1 ? flat : tf.concat(Collections.nCopies(copies, flat), tf.constant(1));
            return tf.linalg.matMul(repeated, tf.constant(Shape.of(inputs, units), DataBuffers.of(w)));
        });
    }

    private Path convert(Path model, boolean sparse, Quantize mode) {
        Path out = tmp.resolve(model.getFileName() + (sparse ? "-sparse" : "-dense") + "-" + mode.cliName() + ".tflite");
        ConversionRequest.Builder request = ConversionRequest.builder(model, out).preprocess(Preprocess.RAW).quantize(mode).sparseEncoding(sparse);
        if (mode == Quantize.INT8) request.calibrationSet(CalibrationSet.of(List.of(IMAGE))).io(Int8Quantizer.Io.FLOAT32);
        Converter.convert(request.build());
        return out;
    }

    private static float[] run(Path tflite) {
        try (TfliteModel m = TfliteModel.load(tflite); TfliteInterpreter i = m.newInterpreter(InterpreterOptions.defaults().withThreads(1))) {
            i.setInput(0, IMAGE);
            i.invoke();
            return i.outputFloats(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The weights of the file's only FULLY_CONNECTED: its dense constant, or what the DENSIFY before it expands. */
    private static Stored weights(Path tflite) {
        WrittenModel file = WrittenModel.read(tflite);
        List<Operator> dense = file.operators(BuiltinOperator.FULLY_CONNECTED);
        assertEquals(1, dense.size());
        Tensor kernel = file.input(dense.get(0), 1);
        Operator densify = file.producer(kernel);
        if (densify == null) {
            assertNull(kernel.sparsity(), "a constant kernel is stored dense");
            return new Stored(values(kernel, file.data(kernel), WrittenModel.shape(kernel)[0] * WrittenModel.shape(kernel)[1]), 0, (byte) 0, (byte) 0);
        }
        assertEquals("DENSIFY", file.name(densify));
        Tensor sparse = file.input(densify, 0);
        assertNotNull(sparse.sparsity(), "DENSIFY reads a tensor in the sparse format");
        assertArrayEquals(WrittenModel.shape(kernel), WrittenModel.shape(sparse), "the sparse tensor has the dense shape");
        return expand(sparse, file.data(sparse));
    }

    private static float[] values(Tensor t, ByteBuffer data, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = t.type() == TensorType.INT8 ? data.get(i) : data.getFloat(i * 4);
        return v;
    }

    /**
     * The dense values of a tensor in TFLite's sparse format as mlpack writes it: the leading dimensions dense, the last
     * one CSR (row r keeps the runs listed at indices[segments[r] .. segments[r+1]]), and with a block map, runs of
     * {@code block} values stored whole.
     */
    private static Stored expand(Tensor t, ByteBuffer data) {
        SparsityParameters s = t.sparsity();
        int[] dims = WrittenModel.shape(t);
        int rank = dims.length;
        boolean blocked = s.blockMapLength() > 0;
        int block = blocked ? s.dimMetadata(rank).denseSize() : 1;
        assertEquals(rank + (blocked ? 1 : 0), s.dimMetadataLength());
        for (int i = 0; i < s.traversalOrderLength(); i++) assertEquals(i, s.traversalOrder(i), "dimensions in storage order");
        if (blocked) assertEquals(rank - 1, s.blockMap(0), "the blocked dimension is the last");
        int rows = 1;
        for (int d = 0; d < rank - 1; d++) {
            assertEquals(DimensionType.DENSE, s.dimMetadata(d).format());
            assertEquals(dims[d], s.dimMetadata(d).denseSize());
            rows *= dims[d];
        }
        DimensionMetadata csr = s.dimMetadata(rank - 1);
        assertEquals(DimensionType.SPARSE_CSR, csr.format());
        int[] segments = indexArray(csr.arraySegmentsType(), csr, true);
        int[] indices = indexArray(csr.arrayIndicesType(), csr, false);
        int last = dims[rank - 1];
        float[] kept = values(t, data, data.remaining() / (t.type() == TensorType.INT8 ? 1 : 4));
        float[] dense = new float[rows * last];
        for (int r = 0; r < rows; r++) {
            for (int j = segments[r]; j < segments[r + 1]; j++) {
                System.arraycopy(kept, j * block, dense, r * last + indices[j] * block, block);
            }
        }
        return new Stored(dense, block, csr.arraySegmentsType(), csr.arrayIndicesType());
    }

    private static int[] indexArray(byte type, DimensionMetadata m, boolean segments) {
        return switch (type) {
            case SparseIndexVector.Uint8Vector -> {
                Uint8Vector v = (Uint8Vector) (segments ? m.arraySegments(new Uint8Vector()) : m.arrayIndices(new Uint8Vector()));
                int[] a = new int[v.valuesLength()];
                for (int i = 0; i < a.length; i++) a[i] = v.values(i);
                yield a;
            }
            case SparseIndexVector.Uint16Vector -> {
                Uint16Vector v = (Uint16Vector) (segments ? m.arraySegments(new Uint16Vector()) : m.arrayIndices(new Uint16Vector()));
                int[] a = new int[v.valuesLength()];
                for (int i = 0; i < a.length; i++) a[i] = v.values(i);
                yield a;
            }
            case SparseIndexVector.Int32Vector -> {
                Int32Vector v = (Int32Vector) (segments ? m.arraySegments(new Int32Vector()) : m.arrayIndices(new Int32Vector()));
                int[] a = new int[v.valuesLength()];
                for (int i = 0; i < a.length; i++) a[i] = v.values(i);
                yield a;
            }
            default -> throw new AssertionError("no index array of type " + type);
        };
    }

    /** Converts dense and sparse, checks the sparse kernel expands to the dense one and changes no output. */
    private Stored sparseAgainstDense(Path model, Quantize mode) throws IOException {
        Path dense = convert(model, false, mode), sparse = convert(model, true, mode);
        Stored stored = weights(sparse);
        assertTrue(stored.block() > 0, "stored sparse");
        assertArrayEquals(weights(dense).dense(), stored.dense(), "expands to exactly the dense kernel");
        assertArrayEquals(run(dense), run(sparse), "the same outputs, bit for bit");
        assertTrue(Files.size(sparse) < Files.size(dense), "a smaller file: " + Files.size(sparse) + " vs " + Files.size(dense));
        return stored;
    }

    @Test
    void zerosInAlignedRunsOfFourAreStoredInRunsOfFour() throws IOException {
        Stored s = sparseAgainstDense(denseLayer("runs4", 1, 8, (n, k) -> (k / 4 + n) % 2), Quantize.NONE);
        assertEquals(4, s.block());
        assertEquals(SparseIndexVector.Uint8Vector, s.segmentsType());
        assertEquals(SparseIndexVector.Uint8Vector, s.indicesType());
    }

    @Test
    void scatteredZerosAreStoredOneByOne() throws IOException {
        Stored s = sparseAgainstDense(denseLayer("scattered", 1, 8, (n, k) -> (k * 7 + n * 3) % 5 < 3 ? 1 : 0), Quantize.NONE);
        assertEquals(1, s.block());
    }

    @Test
    void int8KernelsAreStoredSparseToo() throws IOException {
        Stored s = sparseAgainstDense(denseLayer("int8", 1, 64, (n, k) -> (k / 8 + n) % 2), Quantize.INT8);
        assertEquals(8, s.block(), "zeros in aligned runs of 8: one index per 8 int8 values");
    }

    @Test
    void indicesTakeTheNarrowestTypeThatHoldsThem() throws IOException {
        // 16 outputs of 24 kept runs each: 384 runs in all, past what uint8 segment offsets hold.
        Stored wide = sparseAgainstDense(denseLayer("uint16", 1, 16, (n, k) -> (k + n) % 2), Quantize.NONE);
        assertEquals(SparseIndexVector.Uint16Vector, wide.segmentsType());
        assertEquals(SparseIndexVector.Uint8Vector, wide.indicesType(), "run indices stay below 48");
        // 150 outputs of 480 inputs, one in two kept: 36000 runs, and run indices up to 479.
        Stored wider = sparseAgainstDense(denseLayer("wide-indices", 10, 150, (n, k) -> (k + n) % 2), Quantize.NONE);
        assertEquals(SparseIndexVector.Uint16Vector, wider.segmentsType());
        assertEquals(SparseIndexVector.Uint16Vector, wider.indicesType());
        // 300 outputs: 72000 runs, past what uint16 segment offsets hold.
        Stored widest = sparseAgainstDense(denseLayer("int32-segments", 10, 300, (n, k) -> (k + n) % 2), Quantize.NONE);
        assertEquals(SparseIndexVector.Int32Vector, widest.segmentsType());
    }

    @Test
    void aKernelSparseStorageWouldNotShrinkStaysDense() {
        Path sparse = convert(denseLayer("full", 1, 8, (n, k) -> k == n ? 1 : 0), true, Quantize.NONE);
        WrittenModel file = WrittenModel.read(sparse);
        assertEquals(List.of(), file.operators(BuiltinOperator.DENSIFY));
        assertEquals(0, weights(sparse).block());
    }
}
