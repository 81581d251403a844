package dev.mlpack.optimizer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/** SavedModels built in-process with TF Java, for tests that need a specific op without Python. */
public final class TinySavedModels {
    private TinySavedModels() {}

    /** What computes one output from the image. */
    public interface Body extends BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> {}

    /**
     * Exports {@code body(tf, image)} as the serving signature of a model taking float32 [N, 4, 4, 3]. Variables the
     * body makes must be TF 1 ones ({@code tf.variable}): TF Java's exporter saves only those, with their initial values.
     */
    public static Path export(Path dir, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body) {
        return export(dir, 3, Map.of("output_0", body::apply));
    }

    /**
     * Exports a serving signature taking float32 [N, 4, 4, {@code channels}] (3: RGB, 1: grayscale) with one output per
     * entry of {@code outputs}, keyed by its name.
     */
    public static Path export(Path dir, int channels, Map<String, Body> outputs) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, channels)));
            Signature.Builder sig = Signature.builder().key("serving_default").input("image", x);
            outputs.forEach((name, body) -> sig.output(name, body.apply(tf, x)));
            s.initialize();
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(sig.build(), s)).export();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * Variables of a TF 1 graph that a checkpoint restores, as TF 1's saver does it: each is assigned the matching
     * output of one RestoreV2, keyed by the variable's name.
     */
    public static final class Variables {
        private final Ops tf;
        private final Map<String, Function<Ops, Operand<?>>> values = new LinkedHashMap<>();
        private final Map<String, Operand<?>> handles = new LinkedHashMap<>();

        private Variables(Ops tf) { this.tf = tf; }

        /** A resource variable (VarHandleOp) holding {@code value}, read by a ReadVariableOp. */
        public Operand<TFloat32> resource(String name, float... value) {
            var handle = tf.withName(name).varHandleOp(TFloat32.class, Shape.of(value.length));
            values.put(name, t -> t.constant(value));
            handles.put(name, handle);
            return tf.readVariableOp(handle, TFloat32.class);
        }

        /** A reference variable of the oldest kind (op {@code Variable}) holding {@code value}. */
        public Operand<TFloat32> legacy(String name, float... value) {
            Operand<TFloat32> v = TfNodes.node(tf.withName(name), "Variable", TfNodes.attrs("shape", Shape.of(value.length),
                    "dtype", DataType.DT_FLOAT));
            values.put(name, t -> t.constant(value));
            handles.put(name, v);
            return v;
        }
    }

    /** What computes the one output from the image, with variables. */
    public interface BodyWithVariables {
        Operand<TFloat32> apply(Ops tf, Operand<TFloat32> image, Variables variables);
    }

    /**
     * Exports a TF 1 SavedModel taking float32 [N, 4, 4, 3] whose variables are restored from its checkpoint by a
     * saver built here: TF Java's own exporter saves only {@code VariableV2}, not resource variables nor {@code Variable}.
     */
    public static Path exportWithVariables(Path dir, BodyWithVariables body) {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 3)));
            Variables variables = new Variables(tf);
            Operand<TFloat32> y = body.apply(tf, x, variables);
            Ops save = tf.withSubScope("save");
            Operand<TString> file = save.withName("filename").placeholder(TString.class);
            List<String> keys = new ArrayList<>(variables.handles.keySet());
            String[] slices = new String[keys.size()];
            Arrays.fill(slices, "");
            DataType[] types = new DataType[keys.size()];
            Arrays.fill(types, DataType.DT_FLOAT);
            Operation restore = TfNodes.operation(save, "RestoreV2", TfNodes.attrs("dtypes", types), file,
                    save.constant(StdArrays.ndCopyOf(keys.toArray(String[]::new))), save.constant(StdArrays.ndCopyOf(slices)));
            List<Operation> assigns = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Operand<?> handle = variables.handles.get(keys.get(i));
                boolean resource = handle.asOutput().op().type().equals("VarHandleOp");
                assigns.add(TfNodes.operation(save, resource ? "AssignVariableOp" : "Assign", Map.of(), handle, restore.output(i)));
            }
            Operation restoreAll = save.withName("restore_all").withControlDependencyOps(assigns).noOp().op();
            writeCheckpoint(dir.resolve("variables"), variables.values);

            SignatureDef signature = SignatureDef.newBuilder()
                    .putInputs("image", tensorInfo(x))
                    .putOutputs("output_0", tensorInfo(y))
                    .setMethodName("tensorflow/serving/predict").build();
            MetaGraphDef meta = MetaGraphDef.newBuilder()
                    .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
                    .setGraphDef(g.toGraphDef())
                    .setSaverDef(SaverDef.newBuilder().setFilenameTensorName(file.asOutput().op().name() + ":0")
                            .setRestoreOpName(restoreAll.name()))
                    .putSignatureDef("serving_default", signature).build();
            Files.write(dir.resolve("saved_model.pb"), SavedModel.newBuilder().addMetaGraphs(meta).build().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static TensorInfo tensorInfo(Operand<?> v) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : v.shape().asArray()) shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        return TensorInfo.newBuilder().setName(v.asOutput().op().name() + ":" + v.asOutput().index()).setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape).build();
    }

    /**
     * Writes the checkpoint {@code variablesDir/variables} (the {@code variables/} folder of a SavedModel) holding each
     * tensor under its key, with TF's own SaveV2.
     */
    public static void writeCheckpoint(Path variablesDir, Map<String, Function<Ops, Operand<?>>> tensors) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Files.createDirectories(variablesDir);
            Ops tf = Ops.create(g);
            List<String> keys = new ArrayList<>(tensors.keySet());
            String[] slices = new String[keys.size()];
            Arrays.fill(slices, "");
            Operation save = TfNodes.operation(tf, "SaveV2", Map.of(), tf.constant(variablesDir.resolve("variables").toString()),
                    tf.constant(StdArrays.ndCopyOf(keys.toArray(String[]::new))), tf.constant(StdArrays.ndCopyOf(slices)),
                    keys.stream().map(k -> tensors.get(k).apply(tf)).toList());
            s.runner().addTarget(save).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
