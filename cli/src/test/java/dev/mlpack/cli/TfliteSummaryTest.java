package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/** Reading a hand-built .tflite: op names from either opcode field, quantization summary, I/O. */
class TfliteSummaryTest {
    @TempDir Path tmp;

    /**
     * input (float32 [1,4]) and a per-channel int8 constant feed op 0; op 0 writes a per-tensor int8 output.
     * Opcodes: CONV_2D in deprecated_builtin_code only (an old writer), ADD (code 0 in both fields), GELU (> 127).
     */
    static byte[] model() {
        FlatBufferBuilder fb = new FlatBufferBuilder(1024);
        int empty = Buffer.createBuffer(fb, 0);
        int data = Buffer.createBuffer(fb, Buffer.createDataVector(fb, new byte[] {1, 2, 3, 4}));

        int perChannel = QuantizationParameters.createQuantizationParameters(fb, 0, 0,
                QuantizationParameters.createScaleVector(fb, new float[] {0.1f, 0.2f}),
                QuantizationParameters.createZeroPointVector(fb, new long[] {0, 0}), (byte) 0, 0, 0);
        int perTensor = QuantizationParameters.createQuantizationParameters(fb, 0, 0,
                QuantizationParameters.createScaleVector(fb, new float[] {0.5f}),
                QuantizationParameters.createZeroPointVector(fb, new long[] {3}), (byte) 0, 0, 0);
        int[] tensors = {
            tensor(fb, "input", new int[] {1, 4}, TensorType.FLOAT32, 0, 0),
            tensor(fb, "weights", new int[] {2, 2}, TensorType.INT8, 1, perChannel),
            tensor(fb, "output", new int[] {1, 2}, TensorType.INT8, 0, perTensor),
        };
        int[] ops = {
            Operator.createOperator(fb, 0L, Operator.createInputsVector(fb, new int[] {0, 1}), Operator.createOutputsVector(fb, new int[] {2}),
                    (byte) 0, 0, 0, (byte) 0, 0, 0),
            Operator.createOperator(fb, 1L, Operator.createInputsVector(fb, new int[] {2, 2}), Operator.createOutputsVector(fb, new int[] {2}),
                    (byte) 0, 0, 0, (byte) 0, 0, 0),
            Operator.createOperator(fb, 2L, Operator.createInputsVector(fb, new int[] {2}), Operator.createOutputsVector(fb, new int[] {2}),
                    (byte) 0, 0, 0, (byte) 0, 0, 0),
        };
        int subgraph = SubGraph.createSubGraph(fb, SubGraph.createTensorsVector(fb, tensors), SubGraph.createInputsVector(fb, new int[] {0}),
                SubGraph.createOutputsVector(fb, new int[] {2}), SubGraph.createOperatorsVector(fb, ops), fb.createString("main"));
        int[] codes = {
            OperatorCode.createOperatorCode(fb, (byte) BuiltinOperator.CONV_2D, 0, 1, 0),
            OperatorCode.createOperatorCode(fb, (byte) 0, 0, 1, 0),
            OperatorCode.createOperatorCode(fb, (byte) 127, 0, 1, BuiltinOperator.GELU),
        };
        int model = Model.createModel(fb, 3, Model.createOperatorCodesVector(fb, codes), Model.createSubgraphsVector(fb, new int[] {subgraph}),
                fb.createString("hand-built"), Model.createBuffersVector(fb, new int[] {empty, data}), 0, 0, 0);
        Model.finishModelBuffer(fb, model);
        return fb.sizedByteArray();
    }

    private static int tensor(FlatBufferBuilder fb, String name, int[] shape, byte type, int buffer, int quantization) {
        int shapeVec = Tensor.createShapeVector(fb, shape);
        int nameOff = fb.createString(name);
        Tensor.startTensor(fb);
        Tensor.addShape(fb, shapeVec);
        Tensor.addType(fb, type);
        Tensor.addBuffer(fb, buffer);
        Tensor.addName(fb, nameOff);
        if (quantization != 0) Tensor.addQuantization(fb, quantization);
        return Tensor.endTensor(fb);
    }

    @Test
    void readsHandBuiltModel() throws IOException {
        Path file = Files.write(tmp.resolve("m.tflite"), model());
        TfliteSummary s = TfliteSummary.read(file);

        assertEquals(Map.of("CONV_2D", 1, "ADD", 1, "GELU", 1), s.ops());
        assertEquals(Map.of("float32", 1, "int8", 2), s.tensorTypes());
        assertEquals(3, s.schemaVersion());
        assertEquals("hand-built", s.description());
        assertEquals(Files.size(file), s.bytes());

        assertEquals(1, s.inputs().size());
        assertNull(s.inputs().getFirst().key());
        assertEquals("input", s.inputs().getFirst().name());
        assertArrayEquals(new int[] {1, 4}, s.inputs().getFirst().shape());
        assertEquals("int8", s.outputs().getFirst().type());

        assertEquals(new TfliteSummary.Constants(1, 4), s.constants().get("int8"));

        TfliteSummary.Quantization q = s.quantization();
        assertEquals(2, q.tensors());
        assertEquals(1, q.perChannel());
        assertEquals(1, q.perTensor());
        assertEquals(3, q.scales());
        assertEquals(3, q.zeroPoints());
        assertEquals(Map.of("int8", 2), q.types());
        assertEquals("weights", q.details().getFirst().name());
        assertEquals(0, q.details().getFirst().axis());
        assertEquals(-1, q.details().get(1).axis());
    }

    @Test
    void inspectPrintsQuantizationSummary() throws IOException {
        Path file = Files.write(tmp.resolve("m.tflite"), model());
        Path json = tmp.resolve("m.json");
        CliRunner.Result r = CliRunner.run("inspect", file.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("TFLite model"), r.out());
        assertTrue(r.out().contains("quantization: 2 tensors (int8 2): 1 per-channel, 1 per-tensor"), r.out());
        assertTrue(r.out().contains("CONV_2D"), r.out());
        String text = Files.readString(json);
        for (String key : new String[] {"\"format\" : \"tflite\"", "\"ops\"", "\"quantization\"", "\"per_channel\"", "\"tensor_types\""}) {
            assertTrue(text.contains(key), key + " in " + text);
        }
    }
}
