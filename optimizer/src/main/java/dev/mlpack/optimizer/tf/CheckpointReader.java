package dev.mlpack.optimizer.tf;

import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;

import com.google.protobuf.InvalidProtocolBufferException;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

/**
 * Reads tensors from a TF checkpoint (the SavedModel's {@code variables/}) with one RestoreV2 run for the whole batch:
 * a session run per variable is two orders of magnitude slower on models with hundreds of variables.
 */
final class CheckpointReader {
    private final Path prefix;

    CheckpointReader(Path variablesDir) {
        this.prefix = variablesDir.resolve("variables");
    }

    boolean exists() { return Files.isRegularFile(Path.of(prefix + ".index")); }

    /**
     * The object graph TF2 checkpoints store to map objects to keys; it numbers the objects as the SavedModel's own
     * object graph does.
     */
    TrackableObjectGraph objects() {
        try {
            return TrackableObjectGraph.parseFrom(NativeStderr.silenced(this::readObjectGraph));
        } catch (InvalidProtocolBufferException e) {
            throw ConversionException.badInput("the checkpoint's object graph is corrupt (" + e.getMessage() + "): export the model again");
        }
    }

    /** The checkpoint key of the value of object {@code id}, or null when it holds no variable value. */
    static String variableKey(TrackableObjectGraph objects, int id) {
        if (id >= objects.getNodesCount()) return null;
        return objects.getNodes(id).getAttributesList().stream().filter(a -> a.getName().equals("VARIABLE_VALUE"))
                .map(TrackableObjectGraph.TrackableObject.SerializedTensor::getCheckpointKey).findFirst().orElse(null);
    }

    private byte[] readObjectGraph() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            GraphOperation restore = restoreOp(g, List.of("_CHECKPOINTABLE_OBJECT_GRAPH"), List.of(DataType.DT_STRING));
            try (Result r = s.runner().fetch(restore.output(0)).run()) {
                return ((TString) r.get(0)).asBytes().getObject();
            }
        } catch (ConversionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** Reads every key at once; {@code dtypes} gives each key's stored type. */
    Map<String, Constant> read(Map<String, DataType> dtypes) { return NativeStderr.silenced(() -> readAll(dtypes)); }

    private Map<String, Constant> readAll(Map<String, DataType> dtypes) {
        Map<String, Constant> out = new LinkedHashMap<>();
        if (dtypes.isEmpty()) return out;
        List<String> keys = new ArrayList<>(dtypes.keySet());
        List<DataType> types = keys.stream().map(dtypes::get).toList();
        try (Graph g = new Graph(); Session s = new Session(g)) {
            GraphOperation restore = restoreOp(g, keys, types);
            Session.Runner runner = s.runner();
            for (int i = 0; i < keys.size(); i++) runner.fetch(restore.output(i));
            try (Result r = runner.run()) {
                for (int i = 0; i < keys.size(); i++) out.put(keys.get(i), toConstant(r.get(i), keys.get(i)));
            }
        } catch (ConversionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreadable(e);
        }
        return out;
    }

    /** A RestoreV2 of {@code keys} added to {@code g}, which may be a loaded model's graph (op names are kept unique). */
    GraphOperation restoreOp(Graph g, List<String> keys, List<DataType> types) {
        if (!exists()) {
            throw ConversionException.badInput("variables/variables.index is missing in " + prefix.getParent().getParent()
                    + ": copy the whole SavedModel folder, including variables/");
        }
        Ops tf = Ops.create(g);
        String[] slices = new String[keys.size()];
        java.util.Arrays.fill(slices, "");
        GraphOperationBuilder b = g.opBuilder("RestoreV2", tf.scope().makeOpName("restore"), tf.scope());
        b.addInput(tf.constant(prefix.toString()).asOutput());
        b.addInput(tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(keys.toArray(new String[0]))).asOutput());
        b.addInput(tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(slices)).asOutput());
        b.setAttr("dtypes", types.toArray(new DataType[0]));
        return (GraphOperation) b.build();
    }

    private static Constant toConstant(Tensor t, String key) {
        long[] dims = t.shape().asArray();
        int[] idims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) idims[i] = Math.toIntExact(dims[i]);
        Shape shape = Shape.of(idims);
        int n = (int) shape.elementCount();
        ByteDataBuffer data = t.asRawTensor().data();
        return switch (t.dataType()) {
            case DT_FLOAT -> {
                float[] v = new float[n];
                data.asFloats().read(v);
                yield Constant.ofFloats(shape, v);
            }
            case DT_HALF -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(data.asShorts().getShort(i));
                yield Constant.ofFloats(shape, v);
            }
            case DT_DOUBLE -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) data.asDoubles().getDouble(i);
                yield Constant.ofFloats(shape, v);
            }
            case DT_INT32 -> {
                int[] v = new int[n];
                data.asInts().read(v);
                yield Constant.ofLongs(DType.INT32, shape, java.util.Arrays.stream(v).asLongStream().toArray());
            }
            case DT_INT64 -> {
                long[] v = new long[n];
                data.asLongs().read(v);
                yield Constant.ofLongs(DType.INT64, shape, v);
            }
            default -> throw new ConversionException(ConversionException.Kind.UNSUPPORTED,
                    "variable '" + key + "' has dtype " + t.dataType() + ", which mlpack cannot convert");
        };
    }

    private ConversionException unreadable(RuntimeException e) {
        String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("unknown error");
        return ConversionException.badInput("cannot read the variables in " + prefix.getParent()
                + " (" + why + "): the checkpoint files are missing, truncated or corrupt; export the model again");
    }
}
