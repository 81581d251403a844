package dev.mlpack.optimizer.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ops.OpRegistry;
import dev.mlpack.optimizer.testing.TinySavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/**
 * The importer needs no more than an ordinary thread's stack, however deep the graph: it runs a worklist, not
 * recursion, so a chain of thousands of ops (DenseNet and NASNet have thousands from output to input) imports on the
 * test's own thread, whose stack is the JVM's default. A lowering set aside for an input it asked for is run again
 * without adding twice what it had added, and a graph that loops is refused instead of importing forever.
 */
class IterativeImportTest {
    /** Deeper than any keras.applications model; the recursive importer overflowed even a 4 MB stack on it. */
    private static final int DEPTH = 5_000;

    @TempDir Path tmp;

    @Test
    void aChainOfFiveThousandOpsImportsOnTheDefaultStack() {
        Path model = TinySavedModels.export(tmp.resolve("deep"), (tf, x) -> {
            Operand<TFloat32> y = x;
            for (int i = 0; i < DEPTH; i++) y = tf.math.add(y, tf.constant(1f));
            return y;
        });
        Graph graph = SavedModelImporter.load(model, null, false, OpRegistry.tfLowerings()).graph();

        assertEquals(DEPTH, graph.nodes().size());
        int chain = 0;
        for (Node n = graph.outputs().get("output_0").producer(); n != null; n = n.inputs().get(0).producer()) {
            assertEquals("ADD", n.op().name());
            chain++;
        }
        assertEquals(DEPTH, chain, "one ADD after another, from the output back to the input");
    }

    @Test
    void aGraphThatLoopsIsRefusedWithOneLine() throws IOException {
        // TF's own builders cannot make a cycle outside a loop construct; a hand-written graph can: a = b, b = a.
        GraphDef loop = GraphDef.newBuilder()
                .addNode(NodeDef.newBuilder().setName("image").setOp("Placeholder"))
                .addNode(NodeDef.newBuilder().setName("a").setOp("Identity").addInput("b"))
                .addNode(NodeDef.newBuilder().setName("b").setOp("Identity").addInput("a"))
                .build();
        SignatureDef signature = SignatureDef.newBuilder()
                .putInputs("image", TensorInfo.newBuilder().setName("image:0").setDtype(DataType.DT_FLOAT).build())
                .putOutputs("output_0", TensorInfo.newBuilder().setName("a:0").setDtype(DataType.DT_FLOAT).build())
                .build();
        Path dir = Files.createDirectories(tmp.resolve("loop"));
        Files.write(dir.resolve("saved_model.pb"), SavedModel.newBuilder().addMetaGraphs(MetaGraphDef.newBuilder()
                .setGraphDef(loop).putSignatureDef("serving_default", signature)).build().toByteArray());

        ConversionException e = assertThrows(ConversionException.class, () -> SavedModelImporter.load(dir, null, false, OpRegistry.tfLowerings()));
        assertEquals(ConversionException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("cycle through node 'a'") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aRetriedLoweringGetsBackWhatItAddedBefore() {
        EmitReplay replay = new EmitReplay();
        Value first = Value.constant("first", Constant.ofInts(1));
        assertSame(first, replay.once("axes", () -> first));
        replay.rewind();
        assertSame(first, replay.once("axes", () -> { throw new AssertionError("added twice"); }), "handed back, not added again");
        Value second = Value.constant("second", Constant.ofInts(2));
        assertSame(second, replay.once("shape", () -> second), "past what the earlier attempt added, adds anew");

        replay.rewind();
        assertThrows(IllegalStateException.class, () -> replay.once("filter", () -> first),
                "a lowering that adds something else on its next attempt is a bug, not a silent mix-up");
    }
}
