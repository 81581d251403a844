package dev.mlpack.runtime.tflite;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteAffineQuantization;
import org.bytedeco.tensorflowlite.TfLiteFloatArray;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteQuantization;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * One TFLite interpreter over a {@link TfliteModel}.
 *
 * <p><b>Not thread-safe</b>: its tensors are a single set of buffers. Use one interpreter per
 * thread (they share the model's weights, so extra interpreters cost only their activation
 * arena). Close it when done; it holds native memory and possibly an XNNPACK thread pool.
 *
 * <p>Typical use: {@link #setInput(int, float[])}, {@link #invoke()}, {@link #outputFloats(int)},
 * or all three at once with {@link #run(float[]...)}. Quantized (int8/uint8) inputs accept either
 * floats, which are quantized with the tensor's scale and zero point, or the raw quantized bytes.
 * Outputs can be read dequantized to float or as raw bytes.
 *
 * <p><b>Reading intermediate tensors</b> ({@link #readTensorFloats(int)} on a tensor that is
 * neither an input nor an output): TFLite's memory planner lets tensors whose lifetimes do not
 * overlap share one buffer, so after {@link #invoke()} an intermediate tensor may already hold a
 * later tensor's values. Tensors inside an XNNPACK partition are never written at all. Build the
 * interpreter with {@link InterpreterOptions#forInspection()} (no XNNPACK, every tensor in its own
 * buffer) whenever intermediate values matter, e.g. for calibration; model outputs and constant
 * tensors (weights) are always safe to read.
 */
public final class TfliteInterpreter implements AutoCloseable {

    private final TfliteModel model;
    private final InterpreterOptions options;
    // The op resolver must outlive the interpreter: registrations point into it.
    private final BuiltinOpResolverWithoutDefaultDelegates resolver;
    private final org.bytedeco.tensorflowlite.InterpreterOptions nativeOptions;
    private final Interpreter interpreter;
    private final XnnpackDelegate xnnpack; // null when OFF or when XNNPACK refused the graph
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;
    // Scopes the views of {@link #floatTensorView}: closing it on close() turns a late read into an exception
    // instead of a read of freed native memory.
    private final Arena views = Arena.ofShared();
    private boolean closed;

    TfliteInterpreter(TfliteModel model, FlatBufferModel flatBuffer, InterpreterOptions options) {
        this.model = model;
        this.options = options;
        // "WithoutDefaultDelegates": the plain BuiltinOpResolver makes InterpreterBuilder queue
        // TFLite's own XNNPACK delegate (created without the int8 flags), applied lazily on the
        // first AllocateTensors. We apply our own instead, so the default one must never exist.
        this.resolver = new BuiltinOpResolverWithoutDefaultDelegates();
        this.nativeOptions = new org.bytedeco.tensorflowlite.InterpreterOptions();
        Interpreter built = null;
        XnnpackDelegate delegate = null;
        try {
            nativeOptions.SetPreserveAllTensors(options.preserveAllTensors());
            built = new Interpreter((Pointer) null);
            try (InterpreterBuilder builder = new InterpreterBuilder(flatBuffer, resolver, nativeOptions)) {
                int status = builder.apply(built);
                if (status != tensorflowlite.kTfLiteOk || built.isNull()) {
                    throw new TfliteException(model.source()
                            + ": cannot build an interpreter (unsupported op or op version? TFLite's reason is on stderr)");
                }
            }
            check(built.SetNumThreads(options.numThreads()), "SetNumThreads");
            if (options.xnnpack() != XnnpackMode.OFF) {
                delegate = XnnpackDelegate.create(options.numThreads(), options.xnnpack() == XnnpackMode.INT8);
                int status = built.ModifyGraphWithDelegate(delegate.delegate());
                if (status == tensorflowlite.kTfLiteDelegateError) {
                    // TFLite restored the original graph: still usable, just without XNNPACK.
                    delegate.close();
                    delegate = null;
                } else {
                    check(status, "ModifyGraphWithDelegate(XNNPACK)");
                }
            }
            check(built.AllocateTensors(), "AllocateTensors");
            this.interpreter = built;
            this.xnnpack = delegate;
            this.inputs = describeAll(built.inputs());
            this.outputs = describeAll(built.outputs());
        } catch (RuntimeException | Error e) {
            if (built != null) {
                built.close();
            }
            if (delegate != null) {
                delegate.close();
            }
            resolver.close();
            nativeOptions.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- description

    /** Model inputs, in the order {@link #run(float[]...)} expects them. */
    public List<TensorInfo> inputs() {
        return inputs;
    }

    /** Model outputs, in the order {@link #run(float[]...)} returns them. */
    public List<TensorInfo> outputs() {
        return outputs;
    }

    public TensorInfo input(int i) {
        return inputs.get(i);
    }

    public TensorInfo output(int i) {
        return outputs.get(i);
    }

    /**
     * Number of tensors in the primary subgraph: the model's own (inputs, outputs, weights,
     * intermediates), followed by unnamed scratch tensors that kernels add while preparing.
     */
    public int tensorCount() {
        ensureOpen();
        return (int) interpreter.tensors_size();
    }

    /** Describes any tensor by its index, {@code 0 <= index < tensorCount()}. */
    public TensorInfo tensor(int index) {
        return describe(nativeTensor(index), index);
    }

    /** The options this interpreter was built with. */
    public InterpreterOptions options() {
        return options;
    }

    /**
     * True if the XNNPACK delegate took (part of) the graph. False when options say {@link
     * XnnpackMode#OFF}, or when XNNPACK rejected the graph and TFLite fell back to its kernels.
     */
    public boolean isXnnpackApplied() {
        return xnnpack != null;
    }

    /**
     * Number of nodes TFLite executes per invoke. A delegate replaces each partition it takes by
     * one node, so a model fully taken by XNNPACK has an execution plan of size 1.
     */
    public int executionPlanSize() {
        ensureOpen();
        IntPointer plan = interpreter.execution_plan();
        try {
            return (int) plan.limit();
        } finally {
            plan.close();
        }
    }

    // ---------------------------------------------------------------- running

    /**
     * Sets input {@code i} from floats. Float32 inputs are copied; int8 and uint8 inputs are
     * quantized with the tensor's scale and zero point ({@code q = round(x / scale) + zeroPoint},
     * rounding half away from zero and clamping, as TFLite's QUANTIZE op does).
     *
     * @throws IllegalArgumentException if the length differs from the input's element count, or
     *     the input type is neither float32 nor a per-tensor quantized 8-bit type
     */
    public void setInput(int i, float[] values) {
        TensorInfo info = inputs.get(i);
        MemorySegment data = tensorData(info.index(), values.length, info);
        switch (info.dataType()) {
            case FLOAT32 -> MemorySegment.copy(values, 0, data, JAVA_FLOAT_UNALIGNED, 0, values.length);
            case INT8, UINT8 -> {
                Quantization q = info.quantization();
                if (!q.isQuantized() || q.isPerChannel()) {
                    throw new IllegalArgumentException("input " + info + " has no per-tensor quantization to quantize floats with");
                }
                float scale = q.scale();
                int zeroPoint = q.zeroPoint();
                int min = info.dataType() == DataType.INT8 ? -128 : 0;
                int max = info.dataType() == DataType.INT8 ? 127 : 255;
                for (int k = 0; k < values.length; k++) {
                    int v = (int) roundHalfAwayFromZero(values[k] / scale) + zeroPoint;
                    data.set(JAVA_BYTE, k, (byte) Math.max(min, Math.min(max, v)));
                }
            }
            default -> throw new IllegalArgumentException("input " + info + ": cannot set from floats");
        }
    }

    /**
     * Sets an int8 or uint8 input from its raw quantized bytes (for uint8, the byte's unsigned
     * value, e.g. raw 0..255 pixels).
     *
     * @throws IllegalArgumentException if the input is not 8-bit or the length is wrong
     */
    public void setInput(int i, byte[] quantized) {
        TensorInfo info = inputs.get(i);
        if (!info.dataType().isEightBit()) {
            throw new IllegalArgumentException("input " + info + " is not int8/uint8; pass floats");
        }
        MemorySegment data = tensorData(info.index(), quantized.length, info);
        MemorySegment.copy(quantized, 0, data, JAVA_BYTE, 0, quantized.length);
    }

    /** Runs the graph on the current inputs. */
    public void invoke() {
        ensureOpen();
        check(interpreter.Invoke(), "Invoke");
    }

    /** Output {@code i} as floats, dequantized if the output is quantized. */
    public float[] outputFloats(int i) {
        return readTensorFloats(outputs.get(i).index());
    }

    /** Output {@code i} as its raw bytes (for int8/uint8 outputs: the quantized values). */
    public byte[] outputBytes(int i) {
        return readTensorBytes(outputs.get(i).index());
    }

    /**
     * Sets every input from floats, invokes, and returns every output as floats (dequantized when
     * quantized).
     */
    public float[][] run(float[]... inputValues) {
        if (inputValues.length != inputs.size()) {
            throw new IllegalArgumentException("model has " + inputs.size() + " inputs, got " + inputValues.length);
        }
        for (int i = 0; i < inputValues.length; i++) {
            setInput(i, inputValues[i]);
        }
        invoke();
        float[][] result = new float[outputs.size()][];
        for (int i = 0; i < result.length; i++) {
            result[i] = outputFloats(i);
        }
        return result;
    }

    // ---------------------------------------------------------------- any tensor

    /**
     * Any tensor's values as floats, by tensor index: float32 and float16 as is, integer types
     * dequantized when they carry quantization (per tensor or per channel), otherwise converted.
     * See the class comment about intermediate tensors.
     *
     * @throws IllegalArgumentException for string, complex and other non-numeric tensors
     */
    public float[] readTensorFloats(int tensorIndex) {
        TfLiteTensor t = nativeTensor(tensorIndex);
        TensorInfo info = describe(t, tensorIndex);
        int n = Math.toIntExact(info.elementCount());
        MemorySegment data = tensorData(tensorIndex, n, info);
        float[] out = new float[n];
        switch (info.dataType()) {
            case FLOAT32 -> MemorySegment.copy(data, JAVA_FLOAT_UNALIGNED, 0, out, 0, n);
            case FLOAT16 -> {
                for (int k = 0; k < n; k++) {
                    out[k] = Float.float16ToFloat(data.get(JAVA_SHORT_UNALIGNED, 2L * k));
                }
            }
            case FLOAT64 -> {
                for (int k = 0; k < n; k++) {
                    out[k] = (float) data.get(JAVA_DOUBLE_UNALIGNED, 8L * k);
                }
            }
            case INT8, BOOL -> fill(out, k -> data.get(JAVA_BYTE, k), info);
            case UINT8 -> fill(out, k -> data.get(JAVA_BYTE, k) & 0xFF, info);
            case INT16 -> fill(out, k -> data.get(JAVA_SHORT_UNALIGNED, 2L * k), info);
            case UINT16 -> fill(out, k -> data.get(JAVA_SHORT_UNALIGNED, 2L * k) & 0xFFFF, info);
            case INT32 -> fill(out, k -> data.get(JAVA_INT_UNALIGNED, 4L * k), info);
            case INT64 -> fill(out, k -> data.get(JAVA_LONG_UNALIGNED, 8L * k), info);
            default -> throw new IllegalArgumentException("tensor " + info + ": not a numeric type");
        }
        return out;
    }

    /**
     * A float32 tensor's values read in place, without copying them: a read-only view of its buffer, 4 bytes
     * (little-endian float) per element. For measurements that visit every activation of every input
     * (calibration), where copying each tensor into a new array costs more than the reading. The view shows what
     * the tensor holds now: the next {@link #invoke()} overwrites it, and after {@link #close()} reading it
     * throws {@link IllegalStateException}. See the class comment about intermediate tensors.
     *
     * @throws IllegalArgumentException if the tensor is not float32
     */
    public MemorySegment floatTensorView(int tensorIndex) {
        TensorInfo info = tensor(tensorIndex);
        if (info.dataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("tensor " + info + " is not float32");
        }
        MemorySegment data = tensorData(tensorIndex, info.elementCount(), info);
        return data.reinterpret(info.elementCount() * Float.BYTES, views, null).asReadOnly();
    }

    /** Any tensor's raw bytes (little-endian, as TFLite stores them), by tensor index. */
    public byte[] readTensorBytes(int tensorIndex) {
        TfLiteTensor t = nativeTensor(tensorIndex);
        long bytes = t.bytes();
        MemorySegment data = dataOf(t, tensorIndex, bytes);
        return data.toArray(JAVA_BYTE);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Frees the interpreter, then its delegate; releases the model. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        views.close();
        interpreter.close(); // the interpreter must go before the delegate it uses
        if (xnnpack != null) {
            xnnpack.close();
        }
        resolver.close();
        nativeOptions.close();
        model.release();
    }

    @Override
    public String toString() {
        return "TfliteInterpreter[" + model.source() + ", threads=" + options.numThreads()
                + ", xnnpack=" + (xnnpack != null ? options.xnnpack() : "none") + "]";
    }

    // ---------------------------------------------------------------- internals

    private interface LongAt {
        long at(long k);
    }

    private static void fill(float[] out, LongAt source, TensorInfo info) {
        Quantization q = info.quantization();
        int n = out.length;
        if (!q.isQuantized()) {
            for (int k = 0; k < n; k++) {
                out[k] = source.at(k);
            }
        } else if (!q.isPerChannel()) {
            float scale = q.scale();
            int zeroPoint = q.zeroPoint();
            for (int k = 0; k < n; k++) {
                out[k] = scale * (source.at(k) - zeroPoint);
            }
        } else {
            // Element k belongs to channel (k / stride) % channels, where stride is the product of
            // the dimensions after the quantized one.
            int[] shape = info.shape();
            int axis = q.quantizedDimension();
            long stride = 1;
            for (int d = axis + 1; d < shape.length; d++) {
                stride *= shape[d];
            }
            int channels = shape[axis];
            for (int k = 0; k < n; k++) {
                int c = (int) ((k / stride) % channels);
                out[k] = q.scaleAt(c) * (source.at(k) - q.zeroPointAt(c));
            }
        }
    }

    /** Same rounding as TFLite's {@code TfLiteRound} (std::round). */
    private static float roundHalfAwayFromZero(float x) {
        return (float) (Math.signum(x) * Math.floor(Math.abs(x) + 0.5f));
    }

    private List<TensorInfo> describeAll(IntPointer indices) {
        try {
            List<TensorInfo> list = new ArrayList<>();
            for (long k = 0; k < indices.limit(); k++) {
                int index = indices.get(k);
                list.add(describe(nativeTensor(index), index));
            }
            return List.copyOf(list);
        } finally {
            indices.close();
        }
    }

    private TfLiteTensor nativeTensor(int index) {
        ensureOpen();
        if (index < 0 || index >= interpreter.tensors_size()) {
            throw new IndexOutOfBoundsException("tensor index " + index + " not in [0, " + interpreter.tensors_size() + ")");
        }
        return interpreter.tensor(index);
    }

    private static TensorInfo describe(TfLiteTensor t, int index) {
        String name = t.name() == null || t.name().isNull() ? "" : t.name().getString();
        TfLiteIntArray dims = t.dims();
        int rank = dims == null || dims.isNull() ? 0 : dims.size();
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = dims.data(d);
        }
        return new TensorInfo(index, name, DataType.fromCode(t.type()), shape, quantizationOf(t));
    }

    private static Quantization quantizationOf(TfLiteTensor t) {
        TfLiteQuantization q = t.quantization();
        if (q != null && !q.isNull() && q.type() == tensorflowlite.kTfLiteAffineQuantization
                && q.params() != null && !q.params().isNull()) {
            TfLiteAffineQuantization affine = new TfLiteAffineQuantization(q.params());
            TfLiteFloatArray scales = affine.scale();
            TfLiteIntArray zeroPoints = affine.zero_point();
            if (scales != null && !scales.isNull() && scales.size() > 0) {
                int n = scales.size();
                float[] s = new float[n];
                int[] z = new int[n];
                boolean haveZeroPoints = zeroPoints != null && !zeroPoints.isNull() && zeroPoints.size() == n;
                for (int c = 0; c < n; c++) {
                    s[c] = scales.data(c);
                    z[c] = haveZeroPoints ? zeroPoints.data(c) : 0;
                }
                return new Quantization(s, z, affine.quantized_dimension());
            }
        }
        // Legacy per-tensor parameters, still filled in by TFLite for per-tensor tensors.
        float scale = t.params().scale();
        return scale != 0f ? Quantization.perTensor(scale, t.params().zero_point()) : Quantization.NONE;
    }

    /** The tensor's buffer, checked to hold exactly {@code elements} elements of its type. */
    private MemorySegment tensorData(int tensorIndex, long elements, TensorInfo info) {
        if (elements != info.elementCount()) {
            throw new IllegalArgumentException("tensor " + info + " has " + info.elementCount()
                    + " elements, got " + elements);
        }
        TfLiteTensor t = nativeTensor(tensorIndex);
        long bytes = t.bytes();
        long expected = elements * info.dataType().byteSize();
        if (info.dataType().byteSize() > 0 && bytes < expected) {
            throw new IllegalStateException("tensor " + info + " buffer has " + bytes + " bytes, expected " + expected);
        }
        return dataOf(t, tensorIndex, bytes);
    }

    private static MemorySegment dataOf(TfLiteTensor t, int tensorIndex, long bytes) {
        long address = t.data().raw().address();
        if (address == 0) {
            if (bytes == 0) {
                return MemorySegment.NULL;
            }
            throw new IllegalStateException("tensor #" + tensorIndex
                    + " has no buffer (not allocated, or owned by a delegate)");
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("interpreter is closed");
        }
    }

    private void check(int status, String step) {
        if (status != tensorflowlite.kTfLiteOk) {
            throw new TfliteException(model.source() + ": " + step + " failed (status " + status
                    + "; TFLite's reason is on stderr)");
        }
    }
}
