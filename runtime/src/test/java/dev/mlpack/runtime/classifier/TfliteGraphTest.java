package dev.mlpack.runtime.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.tflite.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;

/** Reading a model's outputs and their activations from the flatbuffer, for models whose metadata does not say. */
class TfliteGraphTest {

    static TfliteGraph read(byte[] model) {
        return TfliteGraph.read(ByteBuffer.wrap(model));
    }

    @Test
    void theProducingOpGivesTheActivation() {
        TfliteGraph g = read(TinyGraphs.input(1, 1, 1, 3)
                .output("probs", BuiltinOperator.SOFTMAX)
                .output("is_top", BuiltinOperator.LOGISTIC)
                .output("logits", BuiltinOperator.RELU)
                .bytes(true));
        assertEquals(List.of(new OutputCandidate("probs", 3, OutputActivation.SOFTMAX),
                new OutputCandidate("is_top", 3, OutputActivation.SIGMOID),
                new OutputCandidate("logits", 3, OutputActivation.NONE)), g.outputs());
    }

    @Test
    void looksThroughDequantizeQuantizeAndReshape() {
        // an int8 model's float output: LOGISTIC -> DEQUANTIZE; and a softmax reshaped on its way out
        TfliteGraph g = read(TinyGraphs.input(1, 1, 1, 1)
                .output("p", BuiltinOperator.LOGISTIC, BuiltinOperator.QUANTIZE, BuiltinOperator.DEQUANTIZE)
                .output("q", BuiltinOperator.SOFTMAX, BuiltinOperator.RESHAPE)
                .output("r", BuiltinOperator.LOGISTIC, BuiltinOperator.RELU)
                .bytes(true));
        assertEquals(OutputActivation.SIGMOID, g.outputs().get(0).activation());
        assertEquals(OutputActivation.SOFTMAX, g.outputs().get(1).activation());
        assertEquals(OutputActivation.NONE, g.outputs().get(2).activation(), "a ReLU after the sigmoid is something else");
    }

    @Test
    void outputsAreNamedBySignatureKeyElseByTensorName() {
        byte[] withSignature = TinyGraphs.input(1, 2, 2, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true);
        byte[] without = TinyGraphs.input(1, 2, 2, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(false);
        assertEquals("output_0", read(withSignature).outputs().getFirst().name());
        assertEquals("StatefulPartitionedCall:0", read(without).outputs().getFirst().name());
        assertEquals(4, read(without).outputs().getFirst().units(), "every value after the batch dimension");
    }

    @Test
    void unitsAreTheValuesPerImage() {
        assertEquals(10, OutputCandidate.unitsOf(new int[] {1, 10}));
        assertEquals(1, OutputCandidate.unitsOf(new int[] {1, 1}));
        assertEquals(48, OutputCandidate.unitsOf(new int[] {1, 4, 4, 3}));
        assertEquals(7, OutputCandidate.unitsOf(new int[] {7}));
        assertEquals(1, OutputCandidate.unitsOf(new int[0]));
        assertEquals(-1, OutputCandidate.unitsOf(new int[] {-1, -1}));
    }

    @Test
    void describesTheInput() {
        TfliteGraph g = read(TinyGraphs.uint8Input(1, 28, 28, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true));
        TfliteGraph.Input in = g.inputs().getFirst();
        assertEquals("image", in.name());
        assertEquals(DataType.UINT8, in.type());
        assertArrayEquals(new int[] {1, 28, 28, 1}, in.shape());
    }

    @Test
    void theOfficialConvertersLogitsAreLogits() throws IOException {
        // tiny_float.tflite: Dense(2) without activation, written by TF's own converter
        TfliteGraph g;
        try (InputStream in = getClass().getResourceAsStream("/models/tiny_float.tflite")) {
            g = read(in.readAllBytes());
        }
        assertEquals(1, g.outputs().size());
        assertEquals(2, g.outputs().getFirst().units());
        assertEquals(OutputActivation.NONE, g.outputs().getFirst().activation());
        assertEquals(DataType.FLOAT32, g.inputs().getFirst().type());
    }

    @Test
    void rejectsWhatIsNotAModel() {
        assertThrows(IllegalArgumentException.class, () -> read(new byte[16]));
    }
}
