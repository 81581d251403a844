package dev.mlpack.runtime.classifier;

import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.tflite.DataType;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorMap;
import org.tensorflow.lite.schema.TensorType;

/**
 * What a {@code .tflite}'s primary subgraph takes and returns, read from the flatbuffer itself (no interpreter): its
 * inputs, and its outputs as classifier candidates, for models whose metadata does not record the classifier output
 * (older mlpack models, the official converter's). Each output is
 * named by its signature key where the model has a signature (as TF Serving names it), else by its tensor name, and
 * its activation is the op that produces it, looking through the ops that only move or requantize values
 * (DEQUANTIZE, QUANTIZE, RESHAPE): SOFTMAX is softmax, LOGISTIC sigmoid, anything else logits.
 */
public record TfliteGraph(List<TfliteGraph.Input> inputs, List<OutputCandidate> outputs) {

    /**
     * One input tensor.
     *
     * @param name its name
     * @param shape its shape, batch first
     * @param type its element type
     */
    public record Input(String name, int[] shape, DataType type) {
        public Input {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Input i && name.equals(i.name) && Arrays.equals(shape, i.shape) && type == i.type;
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + type.hashCode();
        }

        @Override
        public String toString() {
            return "'" + name + "' " + type + Arrays.toString(shape);
        }
    }

    public TfliteGraph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * The primary subgraph's inputs and outputs, in the order the interpreter takes and returns them.
     *
     * @param tflite the model's bytes (the position is left unchanged)
     * @throws IllegalArgumentException if the bytes are not a TFLite model
     */
    public static TfliteGraph read(ByteBuffer tflite) {
        ByteBuffer bb = tflite.slice();
        if (bb.remaining() < 8 || !Model.ModelBufferHasIdentifier(bb)) {
            throw new IllegalArgumentException("not a TFLite model (no TFL3 identifier)");
        }
        try {
            return read(Model.getRootAsModel(bb));
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new IllegalArgumentException("not a valid TFLite flatbuffer: " + e, e);
        }
    }

    private static TfliteGraph read(Model model) {
        if (model.subgraphsLength() == 0) throw new IllegalArgumentException("the TFLite model has no subgraph");
        SubGraph graph = model.subgraphs(0);
        Map<Integer, String> keys = signatureOutputKeys(model);
        Map<Integer, Operator> producers = new HashMap<>();
        for (int i = 0; i < graph.operatorsLength(); i++) {
            Operator op = graph.operators(i);
            for (int j = 0; j < op.outputsLength(); j++) producers.put(op.outputs(j), op);
        }
        List<OutputCandidate> out = new ArrayList<>(graph.outputsLength());
        for (int i = 0; i < graph.outputsLength(); i++) {
            int index = graph.outputs(i);
            Tensor t = graph.tensors(index);
            int[] shape = new int[t.shapeLength()];
            for (int d = 0; d < shape.length; d++) shape[d] = t.shape(d);
            int units = OutputCandidate.unitsOf(shape);
            String name = keys.getOrDefault(index, t.name() == null ? "output_" + i : t.name());
            out.add(new OutputCandidate(name, units, activation(model, producers, index)));
        }
        List<Input> inputs = new ArrayList<>(graph.inputsLength());
        for (int i = 0; i < graph.inputsLength(); i++) {
            Tensor t = graph.tensors(graph.inputs(i));
            int[] shape = new int[t.shapeLength()];
            for (int d = 0; d < shape.length; d++) shape[d] = t.shape(d);
            inputs.add(new Input(t.name() == null ? "input_" + i : t.name(), shape, dataType(t.type())));
        }
        return new TfliteGraph(inputs, out);
    }

    /** The schema's {@code TensorType} (which numbers types differently from the C API's {@code TfLiteType}). */
    private static DataType dataType(byte schemaType) {
        return switch (schemaType) {
            case TensorType.FLOAT32 -> DataType.FLOAT32;
            case TensorType.FLOAT16 -> DataType.FLOAT16;
            case TensorType.INT32 -> DataType.INT32;
            case TensorType.UINT8 -> DataType.UINT8;
            case TensorType.INT64 -> DataType.INT64;
            case TensorType.STRING -> DataType.STRING;
            case TensorType.BOOL -> DataType.BOOL;
            case TensorType.INT16 -> DataType.INT16;
            case TensorType.INT8 -> DataType.INT8;
            case TensorType.FLOAT64 -> DataType.FLOAT64;
            default -> DataType.NO_TYPE;
        };
    }

    /** Tensor index to output key, from the first signature of subgraph 0 (mlpack writes exactly one). */
    private static Map<Integer, String> signatureOutputKeys(Model model) {
        Map<Integer, String> keys = new HashMap<>();
        for (int s = 0; s < model.signatureDefsLength(); s++) {
            SignatureDef sig = model.signatureDefs(s);
            if (sig.subgraphIndex() != 0) continue;
            for (int i = 0; i < sig.outputsLength(); i++) {
                TensorMap m = sig.outputs(i);
                if (m.name() != null) keys.put((int) m.tensorIndex(), m.name());
            }
            break;
        }
        return keys;
    }

    private static OutputActivation activation(Model model, Map<Integer, Operator> producers, int tensor) {
        // Bounded: a well-formed graph is acyclic, and a malformed one must not loop forever.
        for (int step = 0; step <= producers.size(); step++) {
            Operator op = producers.get(tensor);
            if (op == null) return OutputActivation.NONE;
            int code = builtinCode(model.operatorCodes((int) op.opcodeIndex()));
            switch (code) {
                case BuiltinOperator.SOFTMAX -> {
                    return OutputActivation.SOFTMAX;
                }
                case BuiltinOperator.LOGISTIC -> {
                    return OutputActivation.SIGMOID;
                }
                case BuiltinOperator.DEQUANTIZE, BuiltinOperator.QUANTIZE, BuiltinOperator.RESHAPE -> {
                    if (op.inputsLength() == 0) return OutputActivation.NONE;
                    tensor = op.inputs(0);
                }
                default -> {
                    return OutputActivation.NONE;
                }
            }
        }
        return OutputActivation.NONE;
    }

    /**
     * The op's builtin code. Schema 3a moved codes from the 8-bit {@code deprecated_builtin_code} to the 32-bit {@code
     * builtin_code}; writers fill both for codes below 127 and older files only the first, so the larger one is the code.
     */
    private static int builtinCode(OperatorCode code) {
        return Math.max(code.deprecatedBuiltinCode(), code.builtinCode());
    }
}
