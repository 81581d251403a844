package dev.mlpack.optimizer.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Encoding.Precision;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Value;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;

/**
 * Writes a graph of TFLite-level ops as a .tflite flatbuffer, each op as its {@link OpSpec#encoding()} says; it only
 * serialises (how constants are stored is decided before, by {@link WeightStorage} and the quantizer). Constant data
 * goes straight into the builder, 16-byte aligned so the runtime can use it in place. Output is a pure function of
 * the graph: same graph, same bytes.
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
    private final Map<Integer, Integer> opCounts = new java.util.HashMap<>();

    private TfliteWriter(Graph graph, Options options) {
        this.graph = graph;
        this.options = options;
    }

    /**
     * What to write besides the graph: the signature's name, per-tensor quantization (tensors listed there are
     * stored as {@link QuantParams#storage()} with those parameters; constants are quantized here), named metadata
     * buffers (TFLite's {@code Model.metadata}), and bytes appended after the flatbuffer (the standard place for the
     * zip of associated files that the TFLite metadata schema refers to).
     */
    public record Options(String signatureName, Map<Value, QuantParams> quantization, Map<String, byte[]> metadata, byte[] trailer) {
        public Options {
            quantization = java.util.Collections.unmodifiableMap(new IdentityHashMap<>(quantization));
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            trailer = trailer.clone();
        }

        public static Builder builder() { return new Builder(); }

        public static final class Builder {
            private String signatureName = "serving_default";
            private final Map<Value, QuantParams> quantization = new IdentityHashMap<>();
            private final Map<String, byte[]> metadata = new LinkedHashMap<>();
            private byte[] trailer = new byte[0];

            public Builder signatureName(String name) {
                this.signatureName = name;
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

            public Options build() {
                return new Options(signatureName, quantization, metadata, trailer);
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
            if (!n.op().writable()) {
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
                inputs[i] = v == null ? -1 : tensor(v, names.get(v));
            }
            int[] outputs = n.outputs().stream().mapToInt(v -> tensor(v, names.get(v))).toArray();
            emitOperator(n, inputs, outputs);
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


    private int tensor(Value v, String nameOverride) {
        Integer existing = tensorIndex.get(v);
        if (existing != null) return existing;
        QuantParams q = options.quantization().get(v);
        DType stored = q != null ? q.storage() : v.dtype();
        int buffer = 0, sparsity = 0;
        if (v.isConstant()) {
            Constant data = q != null ? Constant.ofLongs(q.storage(), v.shape(), q.quantize(v.data())) : v.data();
            byte[] dense = encode(data, stored);
            SparseEncoding sparse = v.data().isSparse() ? SparseEncoding.smallest(data, dense, stored.byteSize()) : null;
            buffer = rawBuffer(sparse != null ? sparse.values : dense);
            if (sparse != null) sparsity = sparse.write(fb);
        }
        int index = addTensor(nameOverride != null ? nameOverride : v.name(), stored, v.shape().dims(), buffer, q, sparsity);
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
        Tensor.addType(fb, Encoding.tensorType(dtype));
        Tensor.addBuffer(fb, buffer);
        Tensor.addName(fb, nameOff);
        if (quant != 0) Tensor.addQuantization(fb, quant);
        if (sparsity != 0) Tensor.addSparsity(fb, sparsity);
        tensorOffsets.add(Tensor.endTensor(fb));
        return tensorOffsets.size() - 1;
    }

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


    /** The arithmetic the node runs in, which its op's version depends on. */
    private Precision precision(Node n) {
        boolean int8 = n.inputs().stream().anyMatch(v -> v != null && options.quantization().containsKey(v))
                || n.outputs().stream().anyMatch(options.quantization()::containsKey);
        // Hybrid: int8 weights, float activations (dynamic-range quantization), per-channel weights.
        Value activation = n.input(n.op().roles().activation());
        return !int8 ? Precision.FLOAT : options.quantization().containsKey(activation) ? Precision.INT8 : Precision.HYBRID;
    }

    private void emitOperator(Node n, int[] inputs, int[] outputs) {
        Encoding<?> encoding = n.op().encoding();
        emitOperator(n.op().builtinCode(), version(n, encoding), inputs, outputs, options(n, encoding), encoding.optionsType());
    }

    @SuppressWarnings("unchecked")
    private <A extends dev.mlpack.optimizer.ir.Attrs> int version(Node n, Encoding<A> encoding) {
        return encoding.version().of(n, (A) n.attrs(), precision(n));
    }

    @SuppressWarnings("unchecked")
    private <A extends dev.mlpack.optimizer.ir.Attrs> int options(Node n, Encoding<A> encoding) {
        return encoding.options() == null ? 0 : encoding.options().write(fb, n, (A) n.attrs());
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
}
