package dev.mlpack.optimizer.tf;

import dev.mlpack.optimizer.errors.ConversionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TType;

/**
 * Gives a SavedModel loaded by TF's C loader the variables its signature reads but the loader left unset.
 *
 * <p>The C loader restores variables only by running the graph's saver. For a Keras 3 model written with
 * {@code tf.saved_model.save}, that saver assigns copies: Keras' variable exports itself as a new
 * {@code tf.Variable} ({@code Variable_N}) initialised from the handle the functions capture, and the checkpoint is
 * restored into those copies, so the captured handles are never assigned. Python's loader does not run the saver:
 * it binds each captured input of a function to the object-graph node its {@code bound_inputs} names, and restores
 * that node from the checkpoint key the checkpoint's own object graph gives it. This does the same, for the handles
 * that are still unset, so models TF's loader handles by itself are left as they are.
 */
public final class CapturedVariables {
    private CapturedVariables() {}

    /** A variable handle a function call captures: its tensor in the main graph, and its node in the object graph. */
    private record Capture(String handle, int objectId, String name, DataType dtype) {}

    /**
     * Assigns the unset variables that signature {@code signatureName} reads from {@code dir}'s checkpoint; returns
     * how many there were.
     */
    public static int restoreUnset(SavedModelBundle bundle, Path dir, String signatureName) {
        List<Capture> captures = capturedVariables(bundle.metaGraphDef(), signatureName);
        if (captures.isEmpty()) return 0;
        Graph graph = bundle.graph();
        List<Capture> unset = unset(bundle.session(), graph, captures);
        if (unset.isEmpty()) return 0;

        CheckpointReader checkpoint = new CheckpointReader(dir.resolve("variables"));
        TrackableObjectGraph objectGraph = checkpoint.objects();
        List<String> keys = unset.stream().map(c -> checkpointKey(objectGraph, c, dir)).toList();
        GraphOperation restore = checkpoint.restoreOp(graph, keys, unset.stream().map(Capture::dtype).toList());
        // A new Ops takes in the names the graph has by now, so the assignments' names cannot clash with the restore's.
        Ops tf = Ops.create(graph);
        Session.Runner assignments = bundle.session().runner();
        for (int i = 0; i < unset.size(); i++) {
            assignments.addTarget(tf.assignVariableOp(handle(graph, unset.get(i)), restore.output(i)));
        }
        try {
            assignments.run();
        } catch (RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().filter(line -> !line.isBlank()).findFirst().orElse("unknown error");
            throw ConversionException.badInput("cannot restore the variables the signature '" + signatureName + "' of " + dir
                    + " reads (" + why + "): export the model again");
        }
        return unset.size();
    }

    /**
     * The variables among the captured inputs of the function calls that produce the signature's outputs. A TF2 call
     * node passes the captures last, in the order of its concrete function's {@code bound_inputs}. TF1 graphs have no
     * object graph, hence no captures: their saver restores what their signatures read.
     */
    private static List<Capture> capturedVariables(MetaGraphDef metaGraph, String signatureName) {
        SignatureDef signature = metaGraph.getSignatureDefMap().get(signatureName);
        SavedObjectGraph objects = metaGraph.getObjectGraphDef();
        if (signature == null || objects.getNodesCount() == 0) return List.of();
        Map<String, NodeDef> nodes = metaGraph.getGraphDef().getNodeList().stream()
                .collect(Collectors.toMap(NodeDef::getName, Function.identity(), (a, b) -> a));
        Set<String> calls = new LinkedHashSet<>();
        for (TensorInfo output : signature.getOutputsMap().values()) calls.add(nodeName(output.getName()));
        List<Capture> captures = new ArrayList<>();
        for (String callName : calls) {
            NodeDef call = nodes.get(callName);
            if (call == null || !call.containsAttr("f")) continue;
            SavedConcreteFunction function = objects.getConcreteFunctionsMap().get(call.getAttrOrThrow("f").getFunc().getName());
            if (function == null) continue;
            List<String> inputs = call.getInputList().stream().filter(input -> !input.startsWith("^")).toList();
            int firstCapture = inputs.size() - function.getBoundInputsCount();
            if (firstCapture < 0) continue;
            for (int i = 0; i < function.getBoundInputsCount(); i++) {
                int objectId = function.getBoundInputs(i);
                if (objectId >= objects.getNodesCount() || !objects.getNodes(objectId).hasVariable()) continue;
                var variable = objects.getNodes(objectId).getVariable();
                captures.add(new Capture(inputs.get(firstCapture + i), objectId, variable.getName(), variable.getDtype()));
            }
        }
        return captures;
    }

    private static List<Capture> unset(Session session, Graph graph, List<Capture> captures) {
        Ops tf = Ops.create(graph);
        Session.Runner checks = session.runner();
        for (Capture c : captures) checks.fetch(tf.varIsInitializedOp(handle(graph, c)));
        List<Capture> unset = new ArrayList<>();
        try (Result initialized = checks.run()) {
            for (int i = 0; i < captures.size(); i++) {
                if (!((TBool) initialized.get(i)).getBoolean()) unset.add(captures.get(i));
            }
        }
        return unset;
    }

    /** The checkpoint and the SavedModel number their object graphs alike: both list the same objects in one order. */
    private static String checkpointKey(TrackableObjectGraph objectGraph, Capture capture, Path dir) {
        String key = CheckpointReader.variableKey(objectGraph, capture.objectId());
        if (key != null) return key;
        throw ConversionException.badInput("the SavedModel " + dir + " reads variable '" + capture.name() + "', which neither its"
                + " saver nor its checkpoint restores: export the model again with Keras' model.export(DIR)");
    }

    /** The captured handle as an operand of the loaded graph; {@code "name"} and {@code "name:k"} both occur. */
    private static Operand<? extends TType> handle(Graph graph, Capture capture) {
        int colon = capture.handle().lastIndexOf(':');
        String node = colon < 0 ? capture.handle() : capture.handle().substring(0, colon);
        int index = colon < 0 ? 0 : Integer.parseInt(capture.handle().substring(colon + 1));
        return graph.operationOrThrow(node).<TType>output(index);
    }

    private static String nodeName(String tensorName) {
        int colon = tensorName.indexOf(':');
        return colon < 0 ? tensorName : tensorName.substring(0, colon);
    }
}
