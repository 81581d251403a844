package dev.mlpack.optimizer.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TString;

/**
 * The reference runner on TF2 SavedModels: it runs what Python's {@code tf.saved_model.load} runs, with the same
 * outputs, and refuses what it cannot run with one line (exit 2).
 */
class SavedModelRunnerTest {
    @TempDir Path tmp;

    /**
     * What {@code tf.saved_model.save} writes for a Keras 3 model: the serving function captures one variable handle,
     * while the graph's saver restores a copy of it under another name (Keras' variable wraps each tf.Variable in a
     * new one at export). TF's C loader runs only the saver, so the handle the function reads is never assigned;
     * Python's loader binds it to the checkpoint through the object graph instead, and so must the runner.
     */
    @Test
    void runsTheVariablesTheServingFunctionCapturesWhenTheSaverRestoresCopies() {
        assertScalesByTheCheckpointedVariable(Tf2SavedModel.Layout.SAVER_RESTORES_A_COPY);
    }

    /**
     * The real thing (a keras.applications MobileNetV2 transfer model saved with {@code tf.saved_model.save}, from
     * make_user_models.py): the runner's outputs are Python's {@code tf.saved_model.load(dir).signatures[
     * "serving_default"]} on the same images.
     */
    @Test
    void matchesPythonsLoaderOnAKerasModelWrittenWithTfSavedModelSave() {
        Path fixture = Fixtures.USER_MODELS.fixture("saved_model_save");
        float[] python = Fixtures.readF32(fixture.resolve("saved_model.f32"));
        int[] shape = Fixtures.inputShape(fixture);
        try (SavedModelRunner runner = SavedModelRunner.load(Fixtures.savedModel(fixture), null)) {
            float[] outputs = runner.run(Fixtures.inputs(fixture), shape[0], shape[1], shape[2], shape[3]);
            assertEquals(python.length, outputs.length);
            double maxAbsDifference = 0;
            for (int i = 0; i < outputs.length; i++) maxAbsDifference = Math.max(maxAbsDifference, Math.abs(outputs[i] - python[i]));
            System.out.printf("saved_model_save: max |TF Java - Python| = %.2e%n", maxAbsDifference);
            assertTrue(maxAbsDifference <= 1e-5, "max |a-b| = " + maxAbsDifference);
        }
    }

    /** The layout TF's loader handles by itself (the saver restores the captured handle) runs as it always did. */
    @Test
    void runsTf2SavedModelsWhoseSaverRestoresTheCapturedVariables() {
        assertScalesByTheCheckpointedVariable(Tf2SavedModel.Layout.SAVER_RESTORES_THE_CAPTURED_HANDLE);
    }

    /** A captured variable that neither the saver nor the checkpoint's object graph restores is bad input, not a crash. */
    @Test
    void refusesByNameAVariableNothingRestores() {
        Path dir = Tf2SavedModel.write(tmp.resolve("no_key"), Tf2SavedModel.Layout.NO_CHECKPOINT_KEY_FOR_THE_VARIABLE);
        ConversionException e = assertThrows(ConversionException.class, () -> SavedModelRunner.load(dir, null).close());
        assertOneLineToExportAgain(e);
        assertTrue(e.getMessage().contains("'scale'"), e.getMessage());
    }

    /** When the object graph does not say what the function captures, the run's failure is still one line (exit 2). */
    @Test
    void refusesAtRunTimeAVariableItCannotTieToTheCheckpoint() {
        Path dir = Tf2SavedModel.write(tmp.resolve("no_bound_inputs"), Tf2SavedModel.Layout.NO_BOUND_INPUTS);
        try (SavedModelRunner runner = SavedModelRunner.load(dir, null)) {
            ConversionException e = assertThrows(ConversionException.class, () -> runner.run(new float[] {1f, -2f}, 1, 2));
            assertOneLineToExportAgain(e);
            assertTrue(e.getMessage().contains("Could not find variable scale"), e.getMessage());
        }
    }

    /** output_0 = inputs * scale, where only the checkpoint holds scale = [2, 3]. */
    private void assertScalesByTheCheckpointedVariable(Tf2SavedModel.Layout layout) {
        try (SavedModelRunner runner = SavedModelRunner.load(Tf2SavedModel.write(tmp.resolve(layout.name()), layout), null)) {
            assertArrayEquals(new float[] {2f, -6f}, runner.run(new float[] {1f, -2f}, 1, 2), 0f);
        }
    }

    private static void assertOneLineToExportAgain(ConversionException e) {
        assertEquals(ConversionException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().contains("model.export("), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /**
     * A hand-written TF2 SavedModel computing {@code output_0 = inputs * scale} for float32 [N, 2] inputs, with
     * {@code scale = [2, 3]} in the checkpoint under the key the checkpoint's object graph gives the variable.
     */
    private static final class Tf2SavedModel {
        private static final String KEY = "scale/.ATTRIBUTES/VARIABLE_VALUE";

        /** Which handle the graph's saver assigns, and what the object graphs say about the captured variable. */
        enum Layout {
            /** As TF writes plain tf.Variables (tf.Module, tf.keras 2): the saver assigns the handle the function reads. */
            SAVER_RESTORES_THE_CAPTURED_HANDLE("scale", true, true),
            /** As tf.saved_model.save writes a Keras 3 model: the saver assigns a copy. */
            SAVER_RESTORES_A_COPY("scale_copy", true, true),
            /** A copy, and the checkpoint's object graph gives the variable no checkpoint key. */
            NO_CHECKPOINT_KEY_FOR_THE_VARIABLE("scale_copy", false, true),
            /** A copy, and the SavedModel's object graph does not say which object the function's captured input is. */
            NO_BOUND_INPUTS("scale_copy", true, false);

            final String restoredHandle;
            final boolean checkpointKey;
            final boolean boundInputs;

            Layout(String restoredHandle, boolean checkpointKey, boolean boundInputs) {
                this.restoredHandle = restoredHandle;
                this.checkpointKey = checkpointKey;
                this.boundInputs = boundInputs;
            }
        }

        static Path write(Path dir, Layout layout) {
            try {
                Files.createDirectories(dir.resolve("variables"));
                MetaGraphDef metaGraph = TextFormat.parse(META_GRAPH.replace("RESTORED_HANDLE", layout.restoredHandle)
                        .replace("BOUND_INPUTS", layout.boundInputs ? "bound_inputs: 1" : ""), MetaGraphDef.class);
                Files.write(dir.resolve("saved_model.pb"),
                        SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(metaGraph).build().toByteArray());
                TrackableObjectGraph objectGraph = TextFormat.parse("""
                        nodes { children { node_id: 1 local_name: "scale" } }
                        nodes { %s }
                        """.formatted(layout.checkpointKey ? VARIABLE_VALUE_ATTRIBUTE : ""), TrackableObjectGraph.class);
                writeCheckpoint(dir.resolve("variables").resolve("variables"), objectGraph);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return dir;
        }

        private static void writeCheckpoint(Path prefix, TrackableObjectGraph objectGraph) {
            try (Graph g = new Graph(); Session s = new Session(g)) {
                Ops tf = Ops.create(g);
                try (TString serializedObjectGraph = TString.tensorOfBytes(NdArrays.scalarOfObject(objectGraph.toByteArray()))) {
                    List<Operand<?>> values = List.of(tf.constant(new float[] {2f, 3f}), tf.constantOf(serializedObjectGraph));
                    s.runner().addTarget(tf.train.save(tf.constant(prefix.toString()),
                            tf.constant(StdArrays.ndCopyOf(new String[] {KEY, "_CHECKPOINTABLE_OBJECT_GRAPH"})),
                            tf.constant(StdArrays.ndCopyOf(new String[] {"", ""})), values)).run();
                }
            }
        }

        private static final String VARIABLE_VALUE_ATTRIBUTE =
                "attributes { name: \"VARIABLE_VALUE\" full_name: \"scale\" checkpoint_key: \"" + KEY + "\" }";

        // Node 1 of the object graph is the variable; the serving call's captured input binds to it.
        private static final String META_GRAPH = """
                meta_info_def { tags: "serve" }
                graph_def {
                  node { name: "serving_default_inputs" op: "Placeholder"
                         attr { key: "dtype" value { type: DT_FLOAT } }
                         attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } } } } }
                  node { name: "scale" op: "VarHandleOp"
                         attr { key: "dtype" value { type: DT_FLOAT } }
                         attr { key: "shape" value { shape { dim { size: 2 } } } }
                         attr { key: "container" value { s: "" } }
                         attr { key: "shared_name" value { s: "scale" } } }
                  node { name: "scale_copy" op: "VarHandleOp"
                         attr { key: "dtype" value { type: DT_FLOAT } }
                         attr { key: "shape" value { shape { dim { size: 2 } } } }
                         attr { key: "container" value { s: "" } }
                         attr { key: "shared_name" value { s: "scale_copy" } } }
                  node { name: "StatefulPartitionedCall" op: "StatefulPartitionedCall"
                         input: "serving_default_inputs" input: "scale"
                         attr { key: "Tin" value { list { type: DT_FLOAT type: DT_RESOURCE } } }
                         attr { key: "Tout" value { list { type: DT_FLOAT } } }
                         attr { key: "f" value { func { name: "serve" } } }
                         attr { key: "config" value { s: "" } }
                         attr { key: "config_proto" value { s: "" } }
                         attr { key: "executor_type" value { s: "" } } }
                  node { name: "saver_filename" op: "Placeholder"
                         attr { key: "dtype" value { type: DT_STRING } }
                         attr { key: "shape" value { shape { } } } }
                  node { name: "restore_keys" op: "Const"
                         attr { key: "dtype" value { type: DT_STRING } }
                         attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { dim { size: 1 } }
                                                               string_val: "scale/.ATTRIBUTES/VARIABLE_VALUE" } } } }
                  node { name: "restore_slices" op: "Const"
                         attr { key: "dtype" value { type: DT_STRING } }
                         attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { dim { size: 1 } }
                                                               string_val: "" } } } }
                  node { name: "restore" op: "RestoreV2"
                         input: "saver_filename" input: "restore_keys" input: "restore_slices"
                         attr { key: "dtypes" value { list { type: DT_FLOAT } } } }
                  node { name: "assign" op: "AssignVariableOp" input: "RESTORED_HANDLE" input: "restore"
                         attr { key: "dtype" value { type: DT_FLOAT } } }
                  node { name: "restore_all" op: "NoOp" input: "^assign" }
                  library {
                    function {
                      signature { name: "serve" is_stateful: true
                                  input_arg { name: "inputs" type: DT_FLOAT }
                                  input_arg { name: "scale_handle" type: DT_RESOURCE }
                                  output_arg { name: "output_0" type: DT_FLOAT } }
                      node_def { name: "read" op: "ReadVariableOp" input: "scale_handle"
                                 attr { key: "dtype" value { type: DT_FLOAT } } }
                      node_def { name: "mul" op: "Mul" input: "inputs" input: "read:value:0"
                                 attr { key: "T" value { type: DT_FLOAT } } }
                      ret { key: "output_0" value: "mul:z:0" }
                    }
                  }
                }
                saver_def { filename_tensor_name: "saver_filename:0" restore_op_name: "restore_all" version: V2 }
                signature_def {
                  key: "serving_default"
                  value {
                    inputs { key: "inputs" value { name: "serving_default_inputs:0" dtype: DT_FLOAT
                                                   tensor_shape { dim { size: -1 } dim { size: 2 } } } }
                    outputs { key: "output_0" value { name: "StatefulPartitionedCall:0" dtype: DT_FLOAT
                                                      tensor_shape { dim { size: -1 } dim { size: 2 } } } }
                    method_name: "tensorflow/serving/predict"
                  }
                }
                object_graph_def {
                  nodes { children { node_id: 1 local_name: "scale" } user_object { identifier: "_generic_user_object" } }
                  nodes { variable { dtype: DT_FLOAT shape { dim { size: 2 } } name: "scale" } }
                  concrete_functions { key: "serve" value { BOUND_INPUTS } }
                }
                """;
    }
}
