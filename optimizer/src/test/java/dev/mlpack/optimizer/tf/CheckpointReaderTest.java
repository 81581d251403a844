package dev.mlpack.optimizer.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.testing.TinySavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TString;

/**
 * The checkpoint reader, on checkpoints TensorFlow itself writes (SaveV2): every stored type mlpack converts, with its
 * shape; the object graph TF 2 checkpoints keep and the key of each object's value; and one line of bad input, never a
 * stack trace, for a folder that is missing, truncated or holds something else.
 */
class CheckpointReaderTest {
    @TempDir Path tmp;

    private Path checkpoint(Map<String, Function<Ops, Operand<?>>> tensors) {
        Path variables = tmp.resolve("variables");
        TinySavedModels.writeCheckpoint(variables, tensors);
        return variables;
    }

    @Test
    void readsEachKeyWithItsShapeAndValues() {
        Map<String, Function<Ops, Operand<?>>> stored = new LinkedHashMap<>();
        stored.put("dense/kernel", tf -> tf.constant(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        stored.put("dense/bias", tf -> tf.constant(new float[] {0.5f, -0.5f}));
        stored.put("half", tf -> tf.dtypes.cast(tf.constant(new float[] {0.5f, -2f, 65504f}), TFloat16.class));
        stored.put("double", tf -> tf.constant(new double[] {1.25, -3.5}));
        stored.put("step", tf -> tf.constant(new int[] {7, -1}));
        stored.put("count", tf -> tf.constant(new long[] {1L << 40}));
        CheckpointReader reader = new CheckpointReader(checkpoint(stored));
        assertTrue(reader.exists());

        Map<String, Constant> read = reader.read(Map.of("dense/kernel", DataType.DT_FLOAT, "half", DataType.DT_HALF,
                "double", DataType.DT_DOUBLE, "step", DataType.DT_INT32, "count", DataType.DT_INT64));
        assertEquals(5, read.size(), "the keys asked for, not the others");
        assertArrayEquals(new int[] {2, 3}, read.get("dense/kernel").shape().dims());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.get("dense/kernel").floats());
        assertEquals(DType.FLOAT32, read.get("half").dtype(), "float16 is read as float32");
        assertArrayEquals(new float[] {0.5f, -2f, 65504f}, read.get("half").floats());
        assertEquals(DType.FLOAT32, read.get("double").dtype(), "float64 is read as float32");
        assertArrayEquals(new float[] {1.25f, -3.5f}, read.get("double").floats());
        assertEquals(DType.INT32, read.get("step").dtype());
        assertArrayEquals(new long[] {7, -1}, read.get("step").longs());
        assertEquals(DType.INT64, read.get("count").dtype());
        assertArrayEquals(new long[] {1L << 40}, read.get("count").longs());
        assertTrue(reader.read(Map.of()).isEmpty());
    }

    @Test
    void aVariableOfATypeMlpackCannotConvertIsRefusedByName() {
        CheckpointReader reader = new CheckpointReader(checkpoint(Map.of("flags", tf -> tf.constant(new boolean[] {true}))));
        ConversionException e = assertThrows(ConversionException.class, () -> reader.read(Map.of("flags", DataType.DT_BOOL)));
        assertEquals(ConversionException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("'flags'") && e.getMessage().contains("DT_BOOL"), e.getMessage());
    }

    @Test
    void aMissingVariablesFolderIsBadInputSayingWhatToCopy() {
        CheckpointReader reader = new CheckpointReader(tmp.resolve("model").resolve("variables"));
        assertFalse(reader.exists());
        ConversionException e = assertThrows(ConversionException.class, () -> reader.read(Map.of("x", DataType.DT_FLOAT)));
        assertOneLineOfBadInput(e, "variables/variables.index is missing");
    }

    @Test
    void aKeyTheCheckpointLacksIsBadInput() {
        CheckpointReader reader = new CheckpointReader(checkpoint(Map.of("kernel", tf -> tf.constant(new float[] {1}))));
        assertOneLineOfBadInput(assertThrows(ConversionException.class, () -> reader.read(Map.of("bias", DataType.DT_FLOAT))),
                "cannot read the variables");
    }

    @Test
    void aTruncatedCheckpointIsBadInput() throws IOException {
        Path variables = checkpoint(Map.of("kernel", tf -> tf.constant(new float[256])));
        try (var data = Files.newByteChannel(variables.resolve("variables.data-00000-of-00001"), StandardOpenOption.WRITE)) {
            data.truncate(100);
        }
        CheckpointReader reader = new CheckpointReader(variables);
        assertOneLineOfBadInput(assertThrows(ConversionException.class, () -> reader.read(Map.of("kernel", DataType.DT_FLOAT))),
                "missing, truncated or corrupt");
    }

    @Test
    void findsTheCheckpointKeyOfEachObjectsValueInItsObjectGraph() {
        String key = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE";
        TrackableObjectGraph graph = TrackableObjectGraph.newBuilder()
                .addNodes(TrackableObject.newBuilder().addChildren(TrackableObject.ObjectReference.newBuilder().setNodeId(1)
                        .setLocalName("layer_with_weights-0")))
                .addNodes(TrackableObject.newBuilder().addAttributes(TrackableObject.SerializedTensor.newBuilder()
                        .setName("VARIABLE_VALUE").setCheckpointKey(key)))
                .build();
        CheckpointReader reader = new CheckpointReader(checkpoint(Map.of(
                "_CHECKPOINTABLE_OBJECT_GRAPH", tf -> bytes(tf, graph.toByteArray()),
                key, tf -> tf.constant(new float[] {3, 4}))));

        TrackableObjectGraph read = reader.objects();
        assertEquals(graph, read);
        assertEquals(key, CheckpointReader.variableKey(read, 1));
        assertNull(CheckpointReader.variableKey(read, 0), "the root holds no value");
        assertNull(CheckpointReader.variableKey(read, 7), "no such object");
        assertArrayEquals(new float[] {3, 4}, reader.read(Map.of(key, DataType.DT_FLOAT)).get(key).floats());
    }

    @Test
    void aCorruptObjectGraphIsBadInput() {
        CheckpointReader reader = new CheckpointReader(checkpoint(Map.of(
                "_CHECKPOINTABLE_OBJECT_GRAPH", tf -> bytes(tf, new byte[] {(byte) 0xff, (byte) 0xff, 0x01}))));
        assertOneLineOfBadInput(assertThrows(ConversionException.class, reader::objects), "object graph is corrupt");
    }

    @Test
    void aCheckpointWithoutAnObjectGraphIsBadInput() {
        // TF 1 savers write none.
        CheckpointReader reader = new CheckpointReader(checkpoint(Map.of("kernel", tf -> tf.constant(new float[] {1}))));
        assertOneLineOfBadInput(assertThrows(ConversionException.class, reader::objects), "cannot read the variables");
    }

    /** A string scalar holding arbitrary bytes, as TF stores serialized protos. */
    private static Operand<TString> bytes(Ops tf, byte[] value) {
        return tf.constantOf(TString.tensorOfBytes(NdArrays.scalarOfObject(value)));
    }

    private static void assertOneLineOfBadInput(ConversionException e, String what) {
        assertEquals(ConversionException.Kind.BAD_INPUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
