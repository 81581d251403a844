package dev.mlpack.optimizer.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mlpack.optimizer.ConversionException;
import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BatchMatMulOptions;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.CastOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.DivOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.GatherOptions;
import org.tensorflow.lite.schema.GeluOptions;
import org.tensorflow.lite.schema.LeakyReluOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.MulOptions;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.PackOptions;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.ResizeNearestNeighborOptions;
import org.tensorflow.lite.schema.ShapeOptions;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.StridedSliceOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.SubOptions;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;
import org.tensorflow.lite.schema.TensorType;

/**
 * Writes a graph of TFLite-level ops as a .tflite flatbuffer. Constant data goes straight into the builder,
 * 16-byte aligned so the runtime can use it in place. Output is a pure function of the graph: same graph, same bytes.
 */
public final class TfliteWriter {
    private final Graph graph;
    private final Options options;
    private final FlatBufferBuilder fb = new FlatBufferBuilder(1 << 20);
    private final Map<Value, Integer> tensorIndex = new IdentityHashMap<>();
    private final List<Integer> tensorOffsets = new ArrayList<>();
    private final List<Integer> bufferOffsets = new ArrayList<>();
    /** Opcode table key: the op and the version its tensor types need. */
    private record Opcode(int builtinCode, int version) {}

    private final Map<Opcode, Integer> opcodeIndex = new LinkedHashMap<>();
    private final List<Integer> operatorOffsets = new ArrayList<>();
    private final Map<Value, Integer> dequantized = new IdentityHashMap<>();
    private final Map<Value, Integer> densified = new IdentityHashMap<>();
    private final Map<Integer, Integer> opCounts = new java.util.HashMap<>();

    private TfliteWriter(Graph graph, Options options) {
        this.graph = graph;
        this.options = options;
    }

    /**
     * What to write besides the graph: the signature's name, float16 weights, per-tensor quantization (tensors
     * listed there are stored as {@link QuantParams#storage()} with those parameters; constants are quantized here),
     * named metadata buffers (TFLite's {@code Model.metadata}), and bytes appended after the flatbuffer (the
     * standard place for the zip of associated files that the TFLite metadata schema refers to).
     */
    public record Options(String signatureName, boolean float16Weights, Map<Value, QuantParams> quantization,
                          Map<String, byte[]> metadata, byte[] trailer, boolean sparseWeights) {
        public Options {
            quantization = java.util.Collections.unmodifiableMap(new IdentityHashMap<>(quantization));
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            trailer = trailer.clone();
        }

        public static Builder builder() { return new Builder(); }

        public static final class Builder {
            private String signatureName = "serving_default";
            private boolean float16Weights;
            private final Map<Value, QuantParams> quantization = new IdentityHashMap<>();
            private final Map<String, byte[]> metadata = new LinkedHashMap<>();
            private byte[] trailer = new byte[0];
            private boolean sparseWeights;

            public Builder signatureName(String name) {
                this.signatureName = name;
                return this;
            }

            public Builder float16Weights(boolean on) {
                this.float16Weights = on;
                return this;
            }

            public Builder quantization(Map<Value, QuantParams> params) {
                this.quantization.putAll(params);
                return this;
            }

            public Builder metadata(String name, byte[] data) {
                this.metadata.put(name, data.clone());
                return this;
            }

            public Builder trailer(byte[] bytes) {
                this.trailer = bytes.clone();
                return this;
            }

            /** Kernels with enough zeros are stored sparse, with a DENSIFY before their reader (see SparseEncoding). */
            public Builder sparseWeights(boolean on) {
                this.sparseWeights = on;
                return this;
            }

            public Options build() {
                return new Options(signatureName, float16Weights, quantization, metadata, trailer, sparseWeights);
            }
        }
    }

    /**
     * The serialized model, how many of each TFLite op it holds, and the tensor index of every graph value
     * (calibration reads intermediate tensors by these indices).
     */
    public record Written(byte[] bytes, Map<String, Integer> ops, Map<Value, Integer> tensorIndex) {}

    public static Written write(Graph graph, Options options) {
        TfliteWriter w = new TfliteWriter(graph, options);
        byte[] flatbuffer = w.build();
        byte[] bytes = flatbuffer;
        if (options.trailer().length > 0) {
            bytes = java.util.Arrays.copyOf(flatbuffer, flatbuffer.length + options.trailer().length);
            System.arraycopy(options.trailer(), 0, bytes, flatbuffer.length, options.trailer().length);
        }
        Map<String, Integer> ops = new java.util.TreeMap<>();
        w.opCounts.forEach((code, count) -> ops.put(BuiltinOperator.name(code), count));
        return new Written(bytes, ops, java.util.Collections.unmodifiableMap(w.tensorIndex));
    }

    private byte[] build() {
        bufferOffsets.add(Buffer.createBuffer(fb, 0)); // buffer 0 is the empty sentinel for computed tensors
        Map<Value, String> names = new IdentityHashMap<>();
        graph.inputs().forEach((k, v) -> names.put(v, k));
        graph.outputs().forEach((k, v) -> names.putIfAbsent(v, k));
        for (Value in : graph.inputs().values()) tensor(in, names.get(in));
        for (Node n : graph.nodes()) {
            if (n.op().builtinCode < 0) {
                throw new ConversionException(ConversionException.Kind.UNSUPPORTED, "unsupported: " + n.op()
                        + " has no TFLite equivalent at " + n.describe());
            }
            int[] inputs = new int[n.inputs().size()];
            for (int i = 0; i < inputs.length; i++) {
                Value v = n.input(i);
                if (v != null && v.dtype() == DType.RESOURCE) {
                    throw new ConversionException(ConversionException.Kind.UNSUPPORTED, "unsupported: " + n.op()
                            + " reads a variable handle directly at " + n.describe());
                }
                inputs[i] = v == null ? -1 : operand(n, i, v, names);
            }
            int[] outputs = n.outputs().stream().mapToInt(v -> tensor(v, names.get(v))).toArray();
            emitOperator(n.op().builtinCode, version(n), inputs, outputs, options(n), optionsType(n));
        }
        int[] subgraphInputs = graph.inputs().values().stream().mapToInt(tensorIndex::get).toArray();
        int[] subgraphOutputs = graph.outputs().entrySet().stream().mapToInt(e -> tensor(e.getValue(), e.getKey())).toArray();

        int tensorsVec = SubGraph.createTensorsVector(fb, tensorOffsets.stream().mapToInt(Integer::intValue).toArray());
        int inputsVec = SubGraph.createInputsVector(fb, subgraphInputs);
        int outputsVec = SubGraph.createOutputsVector(fb, subgraphOutputs);
        int opsVec = SubGraph.createOperatorsVector(fb, operatorOffsets.stream().mapToInt(Integer::intValue).toArray());
        int subgraph = SubGraph.createSubGraph(fb, tensorsVec, inputsVec, outputsVec, opsVec, fb.createString("main"));

        int[] codes = new int[opcodeIndex.size()];
        int k = 0;
        for (Opcode code : opcodeIndex.keySet()) {
            // Readers older than the 2.x schema only look at the byte-sized deprecated field.
            codes[k++] = OperatorCode.createOperatorCode(fb, (byte) Math.min(code.builtinCode(), 127), 0, code.version(), code.builtinCode());
        }
        int signature = signatureDef(subgraphInputs, subgraphOutputs);
        int[] metadata = new int[options.metadata().size()];
        int m = 0;
        for (Map.Entry<String, byte[]> e : options.metadata().entrySet()) {
            int buffer = rawBuffer(e.getValue());
            metadata[m++] = org.tensorflow.lite.schema.Metadata.createMetadata(fb, fb.createString(e.getKey()), buffer);
        }
        int model = Model.createModel(fb, 3, Model.createOperatorCodesVector(fb, codes),
                Model.createSubgraphsVector(fb, new int[] {subgraph}), fb.createString("mlpack"),
                Model.createBuffersVector(fb, bufferOffsets.stream().mapToInt(Integer::intValue).toArray()), 0,
                metadata.length == 0 ? 0 : Model.createMetadataVector(fb, metadata),
                Model.createSignatureDefsVector(fb, new int[] {signature}));
        Model.finishModelBuffer(fb, model);
        return fb.sizedByteArray();
    }

    private int signatureDef(int[] inputs, int[] outputs) {
        List<String> inNames = new ArrayList<>(graph.inputs().keySet()), outNames = new ArrayList<>(graph.outputs().keySet());
        int[] in = new int[inputs.length], out = new int[outputs.length];
        for (int i = 0; i < in.length; i++) in[i] = TensorMap.createTensorMap(fb, fb.createString(inNames.get(i)), inputs[i]);
        for (int i = 0; i < out.length; i++) out[i] = TensorMap.createTensorMap(fb, fb.createString(outNames.get(i)), outputs[i]);
        return SignatureDef.createSignatureDef(fb, SignatureDef.createInputsVector(fb, in), SignatureDef.createOutputsVector(fb, out),
                fb.createString(options.signatureName()), 0);
    }

    /** The tensor an op reads; float constants become float16 plus a DEQUANTIZE when asked. */
    private int operand(Node reader, int index, Value v, Map<Value, String> names) {
        // Not for hybrid kernels (int8 weights, float input): TF 2.21's XNNPACK delegate fails to prepare them
        // behind DENSIFY, and the whole model then fails to load.
        boolean hybrid = options.quantization().containsKey(v) && !options.quantization().containsKey(reader.input(0));
        if (options.sparseWeights() && index == 1 && v.isConstant() && !hybrid && (reader.op() == Op.CONV_2D
                || reader.op() == Op.DEPTHWISE_CONV_2D || reader.op() == Op.FULLY_CONNECTED)) {
            Integer sparse = sparseOperand(v, names.get(v));
            if (sparse != null) return sparse;
        }
        if (!options.float16Weights() || !v.isConstant() || options.quantization().containsKey(v) || v.dtype() != DType.FLOAT32 || v.shape().elementCount() < 16) {
            return tensor(v, names.get(v));
        }
        Integer done = dequantized.get(v);
        if (done != null) return done;
        int half = addTensor(v.name() + "/float16", DType.FLOAT16, v.shape().dims(), buffer(v.data(), DType.FLOAT16));
        int full = addTensor(v.name(), DType.FLOAT32, v.shape().dims(), 0);
        emitOperator(Op.DEQUANTIZE.builtinCode, 1, new int[] {half}, new int[] {full}, 0, BuiltinOptions.NONE);
        dequantized.put(v, full);
        return full;
    }

    /**
     * A kernel stored in TFLite's sparse format and expanded by DENSIFY into the dense tensor its reader takes, or
     * null when the sparse form would not be smaller.
     */
    private Integer sparseOperand(Value v, String nameOverride) {
        Integer done = densified.get(v);
        if (done != null) return done;
        if (tensorIndex.containsKey(v)) return null;
        QuantParams q = options.quantization().get(v);
        DType stored = q != null ? q.storage() : options.float16Weights() && v.dtype() == DType.FLOAT32 ? null : v.dtype();
        if (stored == null) return null; // float16 weights already go through their own DEQUANTIZE
        Constant data = q != null ? Constant.ofLongs(q.storage(), v.shape(), q.quantize(v.data())) : v.data();
        byte[] dense = encode(data, stored);
        SparseEncoding sparse = SparseEncoding.smallest(data, dense, stored.byteSize());
        if (sparse == null) return null;
        String name = nameOverride != null ? nameOverride : v.name();
        int buffer = rawBuffer(sparse.values);
        int sparsity = sparse.write(fb);
        int input = addTensor(name + "/sparse", stored, v.shape().dims(), buffer, q, sparsity);
        int output = addTensor(name, stored, v.shape().dims(), 0, q, 0);
        emitOperator(BuiltinOperator.DENSIFY, 1, new int[] {input}, new int[] {output}, 0, BuiltinOptions.NONE);
        densified.put(v, output);
        tensorIndex.put(v, output);
        return output;
    }

    private int tensor(Value v, String nameOverride) {
        Integer existing = tensorIndex.get(v);
        if (existing != null) return existing;
        QuantParams q = options.quantization().get(v);
        DType stored = q != null ? q.storage() : v.dtype();
        int buffer = 0;
        if (v.isConstant()) {
            Constant data = q != null ? Constant.ofLongs(q.storage(), v.shape(), q.quantize(v.data())) : v.data();
            buffer = buffer(data, stored);
        }
        int index = addTensor(nameOverride != null ? nameOverride : v.name(), stored, v.shape().dims(), buffer, q);
        tensorIndex.put(v, index);
        return index;
    }

    private int addTensor(String name, DType dtype, int[] shape, int buffer) { return addTensor(name, dtype, shape, buffer, null); }

    private int addTensor(String name, DType dtype, int[] shape, int buffer, QuantParams q) {
        return addTensor(name, dtype, shape, buffer, q, 0);
    }

    private int addTensor(String name, DType dtype, int[] shape, int buffer, QuantParams q, int sparsity) {
        int shapeVec = Tensor.createShapeVector(fb, shape);
        int nameOff = fb.createString(name);
        int quant = q == null ? 0 : QuantizationParameters.createQuantizationParameters(fb, 0, 0,
                QuantizationParameters.createScaleVector(fb, q.scales()),
                QuantizationParameters.createZeroPointVector(fb, q.zeroPoints()), (byte) 0, 0, q.axis());
        Tensor.startTensor(fb);
        Tensor.addShape(fb, shapeVec);
        Tensor.addType(fb, tfliteType(dtype));
        Tensor.addBuffer(fb, buffer);
        Tensor.addName(fb, nameOff);
        if (quant != 0) Tensor.addQuantization(fb, quant);
        if (sparsity != 0) Tensor.addSparsity(fb, sparsity);
        tensorOffsets.add(Tensor.endTensor(fb));
        return tensorOffsets.size() - 1;
    }

    private int buffer(Constant c, DType as) { return rawBuffer(encode(c, as)); }

    private int rawBuffer(byte[] bytes) {
        fb.prep(16, bytes.length); // aligns the data's start so the interpreter can map it without copying
        int data = fb.createByteVector(bytes);
        bufferOffsets.add(Buffer.createBuffer(fb, data));
        return bufferOffsets.size() - 1;
    }

    static byte[] encode(Constant c, DType as) {
        int n = c.size();
        ByteBuffer out = ByteBuffer.allocate(n * as.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (as) {
                case FLOAT32 -> out.putFloat(c.floatAt(i));
                case FLOAT16 -> out.putShort(Float.floatToFloat16(c.floatAt(i)));
                case INT32 -> out.putInt((int) c.longAt(i));
                case INT64 -> out.putLong(c.longAt(i));
                case INT8, UINT8, BOOL -> out.put((byte) c.longAt(i));
                default -> throw new IllegalArgumentException("cannot store " + as + " constants");
            }
        }
        return out.array();
    }

    static byte tfliteType(DType t) {
        return switch (t) {
            case FLOAT32 -> TensorType.FLOAT32;
            case FLOAT16 -> TensorType.FLOAT16;
            case INT32 -> TensorType.INT32;
            case INT64 -> TensorType.INT64;
            case INT8 -> TensorType.INT8;
            case UINT8 -> TensorType.UINT8;
            case BOOL -> TensorType.BOOL;
            default -> throw new IllegalArgumentException("no TFLite type for " + t);
        };
    }

    /**
     * The op version TFLite's versioning rules give these tensor types and options. A version above what a runtime
     * registers is rejected at load, so ops whose rules are not listed here stay at 1, which every runtime accepts.
     */
    private int version(Node n) {
        boolean int8 = n.inputs().stream().anyMatch(v -> v != null && options.quantization().containsKey(v))
                || n.outputs().stream().anyMatch(options.quantization()::containsKey);
        // Hybrid: int8 weights, float activations (dynamic-range quantization), per-channel weights.
        boolean hybrid = int8 && !options.quantization().containsKey(n.input(0));
        return switch (n.op()) {
            case CONV_2D -> hybrid ? 5 : int8 ? 3 : 1;
            case DEPTHWISE_CONV_2D -> hybrid ? 6 : int8 ? 3 : n.<int[]>attr("dilations", new int[] {1, 1})[0] != 1
                    || n.<int[]>attr("dilations", new int[] {1, 1})[1] != 1 ? 2 : 1;
            case FULLY_CONNECTED -> hybrid ? 12 : n.input(2) == null ? 6 : n.attr("keep_num_dims", false) ? 5 : int8 ? 4 : 1;
            case RESIZE_BILINEAR -> n.attr("half_pixel_centers", false) ? 3 : int8 ? 2 : 1;
            case RESIZE_NEAREST_NEIGHBOR -> n.attr("half_pixel_centers", false) || n.attr("align_corners", false) ? 3 : int8 ? 2 : 1;
            case ADD, SUB, MUL, MAX_POOL_2D, AVERAGE_POOL_2D, TRANSPOSE, GATHER, SLICE, STRIDED_SLICE, MAXIMUM, MINIMUM,
                 PACK, TANH, LOGISTIC, BATCH_MATMUL, PAD, PADV2, CONCATENATION, SOFTMAX, MEAN, REDUCE_MAX, RELU6, RSQRT,
                 RELU, ABS, DEQUANTIZE -> int8 ? 2 : 1;
            default -> 1;
        };
    }

    private void emitOperator(int builtinCode, int version, int[] inputs, int[] outputs, int options, byte optionsType) {
        int opcode = opcodeIndex.computeIfAbsent(new Opcode(builtinCode, version), c -> opcodeIndex.size());
        opCounts.merge(builtinCode, 1, Integer::sum);
        int in = Operator.createInputsVector(fb, inputs), out = Operator.createOutputsVector(fb, outputs);
        Operator.startOperator(fb);
        Operator.addOpcodeIndex(fb, opcode);
        Operator.addInputs(fb, in);
        Operator.addOutputs(fb, out);
        if (optionsType != BuiltinOptions.NONE) {
            Operator.addBuiltinOptionsType(fb, optionsType);
            Operator.addBuiltinOptions(fb, options);
        }
        operatorOffsets.add(Operator.endOperator(fb));
    }

    private static byte padding(Node n) { return "SAME".equals(n.attr("padding")) ? Padding.SAME : Padding.VALID; }

    private static byte act(Node n) { return n.attr("activation", Activation.NONE).tfliteCode; }

    private int options(Node n) {
        int[] s = n.attr("strides", new int[] {1, 1}), d = n.attr("dilations", new int[] {1, 1});
        return switch (n.op()) {
            case CONV_2D -> Conv2DOptions.createConv2DOptions(fb, padding(n), s[1], s[0], act(n), d[1], d[0]);
            case DEPTHWISE_CONV_2D -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(fb, padding(n), s[1], s[0],
                    n.<Integer>attr("depth_multiplier"), act(n), d[1], d[0]);
            case FULLY_CONNECTED -> FullyConnectedOptions.createFullyConnectedOptions(fb, act(n), (byte) 0,
                    n.attr("keep_num_dims", false), false);
            case BATCH_MATMUL -> BatchMatMulOptions.createBatchMatMulOptions(fb, n.attr("adj_x", false), n.attr("adj_y", false), false);
            case MAX_POOL_2D, AVERAGE_POOL_2D -> {
                int[] f = n.attr("filter");
                yield Pool2DOptions.createPool2DOptions(fb, padding(n), s[1], s[0], f[1], f[0], act(n));
            }
            case ADD -> AddOptions.createAddOptions(fb, act(n), false);
            case SUB -> SubOptions.createSubOptions(fb, act(n), false);
            case MUL -> MulOptions.createMulOptions(fb, act(n));
            case DIV -> DivOptions.createDivOptions(fb, act(n));
            case LEAKY_RELU -> LeakyReluOptions.createLeakyReluOptions(fb, n.<Float>attr("alpha"));
            case GELU -> GeluOptions.createGeluOptions(fb, n.attr("approximate", false));
            case SOFTMAX -> SoftmaxOptions.createSoftmaxOptions(fb, n.attr("beta", 1f));
            case MEAN, SUM, REDUCE_MAX, REDUCE_PROD -> ReducerOptions.createReducerOptions(fb, n.attr("keep_dims", false));
            case CONCATENATION -> ConcatenationOptions.createConcatenationOptions(fb, n.<Integer>attr("axis"), act(n));
            case RESHAPE -> ReshapeOptions.createReshapeOptions(fb, ReshapeOptions.createNewShapeVector(fb, n.output().shape().dims()));
            case STRIDED_SLICE -> StridedSliceOptions.createStridedSliceOptions(fb, n.attr("begin_mask", 0), n.attr("end_mask", 0),
                    n.attr("ellipsis_mask", 0), n.attr("new_axis_mask", 0), n.attr("shrink_axis_mask", 0), false);
            case PACK -> PackOptions.createPackOptions(fb, n.inputs().size(), n.<Integer>attr("axis"));
            case SHAPE -> ShapeOptions.createShapeOptions(fb, tfliteType(n.output().dtype()));
            case CAST -> CastOptions.createCastOptions(fb, tfliteType(n.input(0).dtype()), tfliteType(n.output().dtype()));
            case GATHER -> GatherOptions.createGatherOptions(fb, n.attr("axis", 0), 0);
            case RESIZE_BILINEAR -> ResizeBilinearOptions.createResizeBilinearOptions(fb, n.attr("align_corners", false),
                    n.attr("half_pixel_centers", false));
            case RESIZE_NEAREST_NEIGHBOR -> ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(fb,
                    n.attr("align_corners", false), n.attr("half_pixel_centers", false));
            default -> 0;
        };
    }

    private static byte optionsType(Node n) {
        return switch (n.op()) {
            case CONV_2D -> BuiltinOptions.Conv2DOptions;
            case DEPTHWISE_CONV_2D -> BuiltinOptions.DepthwiseConv2DOptions;
            case FULLY_CONNECTED -> BuiltinOptions.FullyConnectedOptions;
            case BATCH_MATMUL -> BuiltinOptions.BatchMatMulOptions;
            case MAX_POOL_2D, AVERAGE_POOL_2D -> BuiltinOptions.Pool2DOptions;
            case ADD -> BuiltinOptions.AddOptions;
            case SUB -> BuiltinOptions.SubOptions;
            case MUL -> BuiltinOptions.MulOptions;
            case DIV -> BuiltinOptions.DivOptions;
            case LEAKY_RELU -> BuiltinOptions.LeakyReluOptions;
            case GELU -> BuiltinOptions.GeluOptions;
            case SOFTMAX -> BuiltinOptions.SoftmaxOptions;
            case MEAN, SUM, REDUCE_MAX, REDUCE_PROD -> BuiltinOptions.ReducerOptions;
            case CONCATENATION -> BuiltinOptions.ConcatenationOptions;
            case RESHAPE -> BuiltinOptions.ReshapeOptions;
            case STRIDED_SLICE -> BuiltinOptions.StridedSliceOptions;
            case PACK -> BuiltinOptions.PackOptions;
            case SHAPE -> BuiltinOptions.ShapeOptions;
            case CAST -> BuiltinOptions.CastOptions;
            case GATHER -> BuiltinOptions.GatherOptions;
            case RESIZE_BILINEAR -> BuiltinOptions.ResizeBilinearOptions;
            case RESIZE_NEAREST_NEIGHBOR -> BuiltinOptions.ResizeNearestNeighborOptions;
            default -> BuiltinOptions.NONE;
        };
    }
}
