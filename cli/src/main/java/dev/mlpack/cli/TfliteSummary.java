package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/** What {@code mlpack inspect} shows of a .tflite file, read with the TFLite flatbuffer schema. */
record TfliteSummary(
        long bytes,
        long schemaVersion,
        String description,
        int subgraphs,
        List<String> signatures,
        List<Io> inputs,
        List<Io> outputs,
        Map<String, Integer> ops,
        Map<String, Integer> tensorTypes,
        Map<String, Constants> constants,
        Quantization quantization) {

    /** A model input or output: signature key (if any), tensor name, shape and element type. */
    record Io(String key, String name, int[] shape, String type) {}

    /** Constant tensors (those backed by a data buffer) of one element type. */
    record Constants(int tensors, long bytes) {}

    /**
     * Quantization parameters over all tensors: how many tensors carry a scale/zero-point, how many of them
     * per-channel (more than one scale), how many per-tensor, and the element types they quantize.
     */
    record Quantization(int tensors, int perChannel, int perTensor, long scales, long zeroPoints, Map<String, Integer> types,
                        List<QuantizedTensor> details) {
        boolean none() { return tensors == 0; }
    }

    /** One tensor's quantization parameters; {@code axis} is the quantized dimension when per-channel, else -1. */
    record QuantizedTensor(int subgraph, int index, String name, String type, int scales, int zeroPoints, int axis) {
        boolean perChannel() { return scales > 1; }
    }

    static TfliteSummary read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (OutOfMemoryError e) {
            throw ConversionException.badInput(file + " is too large to inspect");
        } catch (IOException e) {
            throw ConversionException.badInput("cannot read " + file + ": " + e.getMessage());
        }
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 8 || !Model.ModelBufferHasIdentifier(buf)) {
            throw ConversionException.badInput(file + " is not a TFLite model (no TFL3 file identifier)");
        }
        try {
            return of(Model.getRootAsModel(buf), data.length);
        } catch (RuntimeException e) { // flatbuffer offsets pointing outside the file
            throw ConversionException.badInput(file + " is a corrupt or truncated TFLite model (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static TfliteSummary of(Model model, long bytes) {
        Map<String, Integer> ops = new TreeMap<>();
        Map<String, Integer> types = new TreeMap<>();
        Map<String, long[]> constants = new TreeMap<>();
        Map<String, Integer> quantTypes = new TreeMap<>();
        List<QuantizedTensor> quantDetails = new ArrayList<>();
        int quantized = 0, perChannel = 0;
        long scales = 0, zeroPoints = 0;

        for (int s = 0; s < model.subgraphsLength(); s++) {
            SubGraph g = model.subgraphs(s);
            for (int i = 0; i < g.operatorsLength(); i++) {
                ops.merge(opName(model, (int) g.operators(i).opcodeIndex()), 1, Integer::sum);
            }
            for (int t = 0; t < g.tensorsLength(); t++) {
                Tensor tensor = g.tensors(t);
                String type = typeName(tensor.type());
                types.merge(type, 1, Integer::sum);
                long buffer = tensor.buffer();
                if (buffer > 0 && buffer < model.buffersLength()) {
                    int size = model.buffers((int) buffer).dataLength();
                    if (size > 0) {
                        long[] c = constants.computeIfAbsent(type, k -> new long[2]);
                        c[0]++;
                        c[1] += size;
                    }
                }
                QuantizationParameters q = tensor.quantization();
                if (q != null && q.scaleLength() > 0) {
                    quantized++;
                    if (q.scaleLength() > 1) perChannel++;
                    scales += q.scaleLength();
                    zeroPoints += q.zeroPointLength();
                    quantTypes.merge(type, 1, Integer::sum);
                    quantDetails.add(new QuantizedTensor(s, t, tensor.name(), type, q.scaleLength(), q.zeroPointLength(),
                            q.scaleLength() > 1 ? q.quantizedDimension() : -1));
                }
            }
        }

        List<String> signatures = new ArrayList<>();
        for (int i = 0; i < model.signatureDefsLength(); i++) signatures.add(model.signatureDefs(i).signatureKey());

        List<Io> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        if (model.subgraphsLength() > 0) {
            SubGraph main = model.subgraphs(0);
            SignatureDef sig = mainSignature(model);
            for (int i = 0; i < main.inputsLength(); i++) inputs.add(io(main, main.inputs(i), sig, true));
            for (int i = 0; i < main.outputsLength(); i++) outputs.add(io(main, main.outputs(i), sig, false));
        }

        Map<String, Constants> constantSummary = new LinkedHashMap<>();
        constants.forEach((k, v) -> constantSummary.put(k, new Constants((int) v[0], v[1])));
        return new TfliteSummary(bytes, model.version(), model.description(), model.subgraphsLength(), signatures,
                inputs, outputs, ops, types, constantSummary,
                new Quantization(quantized, perChannel, quantized - perChannel, scales, zeroPoints, quantTypes, quantDetails));
    }

    /** The operator's builtin name: builtin_code, or deprecated_builtin_code for files written before it existed. */
    static String opName(Model model, int opcodeIndex) {
        if (opcodeIndex < 0 || opcodeIndex >= model.operatorCodesLength()) return "OPCODE_" + opcodeIndex;
        OperatorCode code = model.operatorCodes(opcodeIndex);
        int builtin = code.builtinCode();
        if (builtin == 0) builtin = code.deprecatedBuiltinCode();
        if (builtin == BuiltinOperator.CUSTOM) {
            String custom = code.customCode();
            return custom == null || custom.isEmpty() ? "CUSTOM" : "CUSTOM:" + custom;
        }
        try {
            return BuiltinOperator.name(builtin);
        } catch (ArrayIndexOutOfBoundsException e) {
            return "BUILTIN_" + builtin;
        }
    }

    static String typeName(byte type) {
        try {
            return TensorType.name(type).toLowerCase(Locale.ROOT);
        } catch (ArrayIndexOutOfBoundsException e) {
            return "type" + type;
        }
    }

    /** The signature of subgraph 0, which names its inputs and outputs; null when the file has none. */
    private static SignatureDef mainSignature(Model model) {
        for (int i = 0; i < model.signatureDefsLength(); i++) {
            if (model.signatureDefs(i).subgraphIndex() == 0) return model.signatureDefs(i);
        }
        return null;
    }

    private static Io io(SubGraph g, int index, SignatureDef sig, boolean input) {
        Tensor t = g.tensors(index);
        String key = null;
        if (sig != null) {
            int n = input ? sig.inputsLength() : sig.outputsLength();
            for (int i = 0; i < n; i++) {
                var m = input ? sig.inputs(i) : sig.outputs(i);
                if (m.tensorIndex() == index) key = m.name();
            }
        }
        int[] shape;
        if (t.shapeSignatureLength() > 0) {
            shape = new int[t.shapeSignatureLength()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.shapeSignature(i);
        } else {
            shape = new int[t.shapeLength()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.shape(i);
        }
        return new Io(key, t.name(), shape, typeName(t.type()));
    }
}
