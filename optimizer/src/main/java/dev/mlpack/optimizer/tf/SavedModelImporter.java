package dev.mlpack.optimizer.tf;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;

/**
 * Reads a SavedModel (Keras 3 export, tf.keras 2.x save, or a TF 1.x graph) into the IR: picks the signature,
 * binds variables to checkpoint values, and inlines the serving call's function library down to plain ops.
 * Import is pull-based from the signature outputs, so only what the outputs need is lowered. It runs a worklist,
 * not recursion, so that the depth of a graph (DenseNet, NASNet: thousands of nodes from output to input) needs no
 * more than an ordinary thread stack: a node whose lowering asks for a value not imported yet is set aside until
 * that value is imported, then lowered again (see {@link EmitReplay}).
 */
public final class SavedModelImporter {
    private final Path dir;
    private final MetaGraphDef metaGraph;
    private final Map<String, FunctionDef> functions = new HashMap<>();
    private final Map<String, OpDef> opDefs = new HashMap<>();
    private final Graph graph = new Graph();
    private final Map<String, Constant> variables = new HashMap<>();
    /** The variable's own name ("batch_normalization/moving_mean") by checkpoint key, where the SavedModel records it. */
    private final Map<String, String> variableNames = new HashMap<>();
    private final Map<Value, String> resourceKeys = new java.util.IdentityHashMap<>();
    private final Map<String, Boolean> randomFunctions = new HashMap<>();
    private final boolean keepTrainingGraph;
    private final LoweringTable lowerings;
    private final ImportRepairs.Recorder repairs = new ImportRepairs.Recorder();

    /** TF op types the importer handles itself, not through a {@link LoweringTable}: variables, placeholders, calls. */
    private static final java.util.Set<String> STRUCTURAL_OPS = java.util.Set.of("Placeholder", "VarHandleOp", "VariableV2",
            "Variable", "ReadVariableOp", "PartitionedCall", "StatefulPartitionedCall");

    private SavedModelImporter(Path dir, MetaGraphDef metaGraph, boolean keepTrainingGraph, LoweringTable lowerings) {
        this.dir = dir;
        this.metaGraph = metaGraph;
        this.keepTrainingGraph = keepTrainingGraph;
        this.lowerings = lowerings;
        for (FunctionDef f : metaGraph.getGraphDef().getLibrary().getFunctionList()) functions.put(f.getSignature().getName(), f);
    }

    /** The imported graph plus facts about the source model, and what the import repaired. */
    public record Imported(Graph graph, String signature, Map<String, String> inputNames, Map<String, String> outputNames,
                           int variableCount, long parameterCount, ImportRepairs repairs) {
        /** The same import with another graph: a copy for one conversion of several (the budget searches). */
        public Imported withGraph(Graph other) {
            return new Imported(other, signature, inputNames, outputNames, variableCount, parameterCount, repairs);
        }
    }

    /**
     * Every TF op type the importer has a rule for with {@code lowerings}: converted, passed through, or refused by
     * name with its node.
     */
    public static java.util.Set<String> knownOps(LoweringTable lowerings) {
        java.util.Set<String> ops = new java.util.TreeSet<>(lowerings.tfOps());
        ops.addAll(STRUCTURAL_OPS);
        return java.util.Collections.unmodifiableSet(ops);
    }

    public static SavedModelInfo describe(Path dir) { return SavedModelInfo.of(dir, readMetaGraph(dir)); }

    /**
     * Imports a signature. Training-mode BatchNormalization is switched to its moving statistics unless
     * {@code keepTrainingGraph}; random augmentation layers are always dropped (see {@link ImportRepairs}). TF ops
     * become IR nodes as {@code lowerings} says.
     */
    public static Imported load(Path dir, String signatureName, boolean keepTrainingGraph, LoweringTable lowerings) {
        SavedModelImporter importer = new SavedModelImporter(dir, readMetaGraph(dir), keepTrainingGraph, lowerings);
        return importer.run(signatureName == null ? "serving_default" : signatureName);
    }

    static MetaGraphDef readMetaGraph(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw ConversionException.badInput("model folder " + dir + " does not exist: pass the folder that model.export() or model.save() wrote");
        }
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.isRegularFile(pb)) {
            String hint = Files.isRegularFile(dir.resolve("saved_model.pbtxt")) ? "saved_model.pbtxt is not supported; export as binary"
                    : "pass the folder that model.export() or model.save() wrote";
            throw ConversionException.badInput("no saved_model.pb in " + dir + ": " + hint);
        }
        SavedModel sm;
        try {
            byte[] bytes = Files.readAllBytes(pb);
            if (bytes.length == 0) throw new InvalidProtocolBufferException("the file is empty");
            sm = SavedModel.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw ConversionException.badInput(pb + " is corrupt or truncated (" + e.getMessage() + "): export the model again");
        } catch (IOException e) {
            throw ConversionException.badInput("cannot read " + pb + ": " + e.getMessage());
        }
        if (sm.getMetaGraphsCount() == 0) throw ConversionException.badInput(pb + " holds no graph: export the model again");
        for (MetaGraphDef mg : sm.getMetaGraphsList()) {
            if (mg.getMetaInfoDef().getTagsList().contains("serve")) return mg;
        }
        return sm.getMetaGraphs(0);
    }

    private Imported run(String signatureName) {
        SignatureDef sig = metaGraph.getSignatureDefMap().get(signatureName);
        if (sig == null || sig.getInputsCount() == 0) {
            List<String> names = metaGraph.getSignatureDefMap().keySet().stream().filter(n -> !n.startsWith("__")).sorted().toList();
            throw ConversionException.badInput("the model has no signature '" + signatureName + "'; available: " + names
                    + " (choose one with --signature)");
        }
        for (OpDef op : NativeStderr.silenced(TensorFlow::registeredOpList).getOpList()) opDefs.put(op.getName(), op);
        Scope top = Scope.topLevel(metaGraph.getGraphDef().getNodeList(),
                sig.getOutputsMap().values().stream().map(TensorInfo::getName).toList());
        readVariables(sig, top);

        Map<String, String> inputNames = new LinkedHashMap<>(), outputNames = new LinkedHashMap<>();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(sig.getInputsMap()).entrySet()) {
            TensorInfo info = e.getValue();
            int[] dims = TensorProtos.dims(info.getTensorShape());
            for (int i = 1; i < info.getTensorShape().getDimCount(); i++) {
                if (info.getTensorShape().getDim(i).getSize() < 0) {
                    throw ConversionException.badInput("input '" + e.getKey() + "' has an unknown size in dimension " + i
                            + ": export the model with a fixed input shape, e.g. keras.Input(shape=(224, 224, 3))");
                }
            }
            DType dtype = TensorProtos.dtype(info.getDtype());
            Value in = graph.addInput(e.getKey(), dtype, Shape.of(dims));
            top.bind(nodeName(info.getName()), in);
            inputNames.put(e.getKey(), info.getName());
        }
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(sig.getOutputsMap()).entrySet()) {
            Value out = importValue(top, e.getValue().getName());
            graph.setOutput(e.getKey(), out);
            outputNames.put(e.getKey(), e.getValue().getName());
        }
        long params = variables.values().stream().filter(Constant::isFloating).mapToLong(Constant::size).sum();
        return new Imported(graph, signatureName, inputNames, outputNames, variables.size(), params, repairs.done());
    }

    private static String nodeName(String tensorName) {
        String n = tensorName.startsWith("^") ? tensorName.substring(1) : tensorName;
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }

    // ---- variables -------------------------------------------------------------------------------------------

    /**
     * TF2: the serving call captures variables as trailing inputs, matched by position to the concrete function's
     * bound inputs, whose checkpoint keys come from the checkpoint's own object graph. TF1: the saver's RestoreV2
     * names the key for every variable node it assigns.
     */
    private void readVariables(SignatureDef sig, Scope top) {
        CheckpointReader checkpoint = new CheckpointReader(dir.resolve("variables"));
        Map<String, DataType> wanted = new LinkedHashMap<>();
        SavedObjectGraph objects = metaGraph.getObjectGraphDef();
        boolean tf2 = !functions.isEmpty() && objects.getNodesCount() > 0;
        if (tf2) {
            String anyOutput = sig.getOutputsMap().values().iterator().next().getName();
            NodeDef call = top.nodes.get(nodeName(anyOutput));
            if (call == null || !call.containsAttr("f")) {
                throw ConversionException.badInput("signature output " + anyOutput + " is not a function call; the SavedModel layout is not recognised");
            }
            String fn = call.getAttrOrThrow("f").getFunc().getName();
            SavedConcreteFunction concrete = objects.getConcreteFunctionsMap().get(fn);
            if (concrete == null || concrete.getBoundInputsCount() == 0) return;
            boolean needsCheckpoint = concrete.getBoundInputsList().stream().anyMatch(id -> objects.getNodes(id).hasVariable());
            TrackableObjectGraph trackable = needsCheckpoint ? checkpoint.objects() : null;
            List<Capture> captures = new ArrayList<>();
            for (int nodeId : concrete.getBoundInputsList()) {
                SavedObject obj = objects.getNodes(nodeId);
                if (obj.hasConstant()) {
                    // A tensor the function captured by value (e.g. a Normalization layer's mean): a main-graph Const.
                    captures.add(new Capture(null, obj.getConstant().getOperation()));
                    continue;
                }
                String key = trackable == null ? null : CheckpointReader.variableKey(trackable, nodeId);
                if (obj.hasVariable() && key != null) {
                    wanted.put(key, obj.getVariable().getDtype());
                    if (!obj.getVariable().getName().isEmpty()) variableNames.put(key, obj.getVariable().getName());
                }
                captures.add(new Capture(key, null));
            }
            variables.putAll(checkpoint.read(wanted));
            int firstCaptured = (int) call.getInputList().stream().filter(s -> !s.startsWith("^")).count() - captures.size();
            top.captures.put(call.getName(), new Captures(firstCaptured, captures));
        } else {
            Map<String, String> keyOfVariable = tf1SaverKeys(top, wanted);
            if (wanted.isEmpty()) return;
            variables.putAll(checkpoint.read(wanted));
            top.tf1Keys.putAll(keyOfVariable);
        }
    }

    /** Maps TF1 variable nodes to checkpoint keys by following the saver's RestoreV2 outputs into assignments. */
    private static Map<String, String> tf1SaverKeys(Scope top, Map<String, DataType> wanted) {
        Map<String, String> keyOf = new HashMap<>();
        for (NodeDef n : top.nodes.values()) {
            if (!n.getOp().equals("AssignVariableOp") && !n.getOp().equals("Assign")) continue;
            String target = nodeName(n.getInput(0));
            String value = n.getInput(1);
            NodeDef src = top.nodes.get(nodeName(value));
            while (src != null && src.getOp().equals("Identity")) {
                value = src.getInput(0);
                src = top.nodes.get(nodeName(value));
            }
            if (src == null || !src.getOp().equals("RestoreV2")) continue;
            int index = value.contains(":") ? Integer.parseInt(value.substring(value.lastIndexOf(':') + 1)) : 0;
            NodeDef names = top.nodes.get(nodeName(src.getInput(1)));
            if (names == null || !names.getOp().equals("Const")) continue;
            List<String> keys = TensorProtos.strings(names.getAttrOrThrow("value").getTensor());
            if (index >= keys.size()) continue;
            String key = keys.get(index);
            keyOf.put(target, key);
            wanted.put(key, src.getAttrOrThrow("dtypes").getList().getType(index));
        }
        return keyOf;
    }

    // ---- graph import ----------------------------------------------------------------------------------------

    /** A value a function captured: a variable (by checkpoint key) or a constant (by main-graph op name). */
    private record Capture(String variableKey, String constantOp) {}

    /** The trailing inputs of a signature call, from {@code firstCaptured} on, are its captures. */
    private record Captures(int firstCaptured, List<Capture> captures) {}

    /** Names visible while importing one graph or function body. */
    private static final class Scope {
        final Map<String, NodeDef> nodes = new HashMap<>();
        final Map<String, List<Value>> imported = new HashMap<>();
        /** Nodes of dropped random layers, each standing for its layer's input image (whatever output is read). */
        final Map<String, Value> droppedToImage = new HashMap<>();
        /** Nodes on the worklist: asking for one of them again before it is imported means the graph has a cycle. */
        final java.util.Set<String> onWorklist = new java.util.HashSet<>();
        final Map<String, Value> args = new HashMap<>();
        final Map<String, Captures> captures = new HashMap<>();
        final Map<String, String> tf1Keys = new HashMap<>();
        final boolean functionBody;
        final String prefix;
        /** What the scope hands on: the function's return values, or the signature's outputs. */
        final List<String> returnRefs;
        /** Function arguments that are variable handles. */
        final java.util.Set<String> resourceArgs = new java.util.HashSet<>();
        private AugmentationLayers augmentation;
        private MovingStatistics moments;

        private Scope(boolean functionBody, String prefix, List<String> returnRefs) {
            this.functionBody = functionBody;
            this.prefix = prefix;
            this.returnRefs = returnRefs;
        }

        static Scope topLevel(List<NodeDef> nodes, List<String> outputs) {
            Scope s = new Scope(false, "", outputs);
            for (NodeDef n : nodes) s.nodes.put(n.getName(), n);
            return s;
        }

        MovingStatistics moments() {
            if (moments == null) moments = new MovingStatistics(nodes.values());
            return moments;
        }

        void bind(String nodeName, Value v) { imported.put(nodeName, List.of(v)); }
    }

    /**
     * Signals that a lowering asked for a value whose node is not imported yet: the importer sets the lowering aside,
     * imports that node, and lowers again. Control flow, thrown once per such edge, so it records no stack trace.
     */
    private static final class NotYetImported extends RuntimeException {
        final transient Scope scope;
        final String node;

        NotYetImported(Scope scope, String node) {
            super(null, null, false, false);
            this.scope = scope;
            this.node = node;
        }
    }

    /** A node on the worklist, with what its unfinished attempts have already done. */
    private static final class PendingNode {
        final Scope scope;
        final NodeDef node;
        final EmitReplay replay = new EmitReplay();
        /** For a function call: the inlined body, made once the call's arguments are imported. */
        Scope body;

        PendingNode(Scope scope, NodeDef node) {
            this.scope = scope;
            this.node = node;
        }
    }

    /**
     * The value {@code ref} names, importing whatever it needs: a depth-first worklist that imports, before a node,
     * the nodes its lowering asks for, in the order it asks for them, as recursion would.
     */
    private Value importValue(Scope scope, String ref) {
        java.util.Deque<PendingNode> worklist = new java.util.ArrayDeque<>();
        while (true) {
            try {
                return valueOf(scope, ref);
            } catch (NotYetImported missing) {
                worklist.push(worklistEntry(missing));
            }
            while (!worklist.isEmpty()) {
                PendingNode next = worklist.peek();
                try {
                    importPending(next);
                    worklist.pop();
                    next.scope.onWorklist.remove(next.node.getName());
                } catch (NotYetImported missing) {
                    worklist.push(worklistEntry(missing));
                }
            }
        }
    }

    private static PendingNode worklistEntry(NotYetImported missing) {
        if (!missing.scope.onWorklist.add(missing.node)) {
            throw new ConversionException(ConversionException.Kind.UNSUPPORTED, "unsupported: the graph has a cycle through node '"
                    + (missing.scope.prefix.isEmpty() ? "" : missing.scope.prefix + "/") + missing.node
                    + "' (a TF 1 control-flow loop); export the model from TF 2 or Keras");
        }
        return new PendingNode(missing.scope, missing.scope.nodes.get(missing.node));
    }

    /** Imports one node: the input image of its dropped random layer, or its lowering. */
    private void importPending(PendingNode p) {
        String name = p.node.getName();
        Value image = droppedLayerInput(p.scope, p.node);
        if (image != null) p.scope.droppedToImage.put(name, image);
        else p.scope.imported.put(name, importNode(p));
    }

    /** The value {@code ref} names, already imported; else {@link NotYetImported} for its node. */
    private Value valueOf(Scope scope, String ref) {
        if (scope.functionBody && !ref.contains(":")) {
            Value arg = scope.args.get(ref);
            if (arg == null) throw new ConversionException(ConversionException.Kind.INTERNAL, "unknown function argument " + ref);
            return arg;
        }
        String name = ref.split(":")[0];
        List<Value> outs = scope.imported.get(name);
        if (outs == null) {
            Value image = scope.droppedToImage.get(name);
            if (image != null) return image;
            if (!scope.nodes.containsKey(name)) {
                throw new ConversionException(ConversionException.Kind.INTERNAL, "graph refers to missing node " + name);
            }
            throw new NotYetImported(scope, name);
        }
        int index = flatIndex(scope, ref);
        Value v = index < outs.size() ? outs.get(index) : null;
        if (v == null) throw new ConversionException(ConversionException.Kind.INTERNAL, "output " + ref + " was not produced");
        return v;
    }

    /** The flat output index a reference names: {@code n:i} at the top level, {@code n:arg:i} in a function body. */
    private int flatIndex(Scope scope, String ref) {
        String[] parts = ref.split(":");
        if (!scope.functionBody) return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return parts.length < 3 ? 0 : outputIndex(scope.nodes.get(parts[0]), parts[1], Integer.parseInt(parts[2]));
    }

    // ---- training-mode repairs -------------------------------------------------------------------------------

    /**
     * When {@code node} hands on the output of a random layer that is an identity at inference (see
     * {@link AugmentationLayers}), the layer's input image, which stands for every output of the layer; else null.
     */
    private Value droppedLayerInput(Scope scope, NodeDef node) {
        if (scope.augmentation == null) {
            scope.augmentation = new AugmentationLayers(scope.nodes, scope.returnRefs, scope.resourceArgs, this::isRandom,
                    ref -> flatIndex(scope, ref));
        }
        var layer = scope.augmentation.enclosing(node.getName());
        if (layer.isEmpty()) return null;
        Value image = valueOf(scope, layer.get().input());
        List<int[]> shapes = layer.get().outputShapes();
        if (shapes == null || !shapes.stream().allMatch(s -> AugmentationLayers.fits(s, image.shape().dims()))) return null;
        repairs.dropped(layer.get().name());
        return image;
    }

    /** A random op, or a call of a function that holds one. */
    private boolean isRandom(NodeDef node) {
        String op = node.getOp();
        if (op.contains("Random") || op.contains("TruncatedNormal") || op.contains("Multinomial")) return true;
        String called = op.endsWith("PartitionedCall") && node.containsAttr("f") ? node.getAttrOrThrow("f").getFunc().getName()
                : functions.containsKey(op) ? op : null;
        if (called == null || !functions.containsKey(called)) return false;
        Boolean known = randomFunctions.get(called);
        if (known != null) return known;
        randomFunctions.put(called, false); // recursion guard
        boolean random = functions.get(called).getNodeDefList().stream().anyMatch(this::isRandom);
        randomFunctions.put(called, random);
        return random;
    }

    /**
     * For a Mean over the batch axis that updates a moving statistic (training-mode BatchNormalization, see
     * {@link MovingStatistics}): that statistic, as a constant of the Mean's shape; null to lower the Mean as it is.
     */
    private List<Value> movingStatistic(Scope scope, NodeDef node, LoweringContext ctx) {
        Value x = ctx.input(0), axes = ctx.input(1);
        int rank = x.shape().rank();
        if (!axes.isConstant() || rank < 2 || java.util.Arrays.stream(axes.data().ints()).noneMatch(a -> a == 0 || a == -rank)) {
            return null;
        }
        var handle = scope.moments().updatedVariable(node);
        if (handle.isEmpty()) return null;
        Value variable = valueOf(scope, handle.get());
        String key = resourceKeys.get(variable);
        Constant moving = variable.isConstant() ? variable.data() : key == null ? null : variables.get(key);
        if (moving == null) return null;
        String name = key == null ? ctx.origin() : variableNames.getOrDefault(key, key);
        String layer = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : ctx.layer();
        if (keepTrainingGraph) {
            repairs.keptBatchStatistics(layer);
            return null;
        }
        // Past the last input this asks for, so what follows runs once, on the attempt that completes.
        Value batchMoment = lowerings.lower(ctx).getFirst(); // lowered only for its shape
        if (batchMoment.shape().elementCount() != moving.size()) return List.of(batchMoment);
        if (batchMoment.producer() != null) graph.remove(batchMoment.producer());
        repairs.usedMovingStatistics(layer);
        return List.of(graph.constant(ctx.origin() + "/moving_statistic", moving.reshaped(batchMoment.shape())));
    }

    /** Flat output index of {@code argName:i} on a node, from the op's definition or the called function's signature. */
    private int outputIndex(NodeDef node, String argName, int i) {
        if (node.getOp().endsWith("PartitionedCall")) return i;
        FunctionDef f = functions.get(node.getOp());
        if (f != null) {
            int k = 0;
            for (var arg : f.getSignature().getOutputArgList()) {
                if (arg.getName().equals(argName)) return k + i;
                k++;
            }
        }
        OpDef def = opDefs.get(node.getOp());
        if (def == null) return i;
        int offset = 0;
        for (OpDef.ArgDef arg : def.getOutputArgList()) {
            if (arg.getName().equals(argName)) return offset + i;
            if (!arg.getNumberAttr().isEmpty()) offset += (int) node.getAttrOrThrow(arg.getNumberAttr()).getI();
            else if (!arg.getTypeListAttr().isEmpty()) offset += node.getAttrOrThrow(arg.getTypeListAttr()).getList().getTypeCount();
            else offset++;
        }
        return i;
    }

    private List<Value> importNode(PendingNode pending) {
        Scope scope = pending.scope;
        NodeDef node = pending.node;
        String origin = scope.prefix.isEmpty() ? node.getName() : scope.prefix + "/" + node.getName();
        String op = node.getOp();
        List<String> dataInputs = node.getInputList().stream().filter(s -> !s.startsWith("^")).toList();

        String calledFunction = op.endsWith("PartitionedCall") ? node.getAttrOrThrow("f").getFunc().getName()
                : functions.containsKey(op) ? op : null;
        if (calledFunction != null) {
            FunctionDef f = functions.get(calledFunction);
            if (pending.body == null) {
                Captures captured = scope.captures.get(node.getName());
                List<Value> args = new ArrayList<>();
                for (int i = 0; i < dataInputs.size(); i++) {
                    Capture c = captured != null && i >= captured.firstCaptured() ? captured.captures().get(i - captured.firstCaptured()) : null;
                    if (c == null) args.add(valueOf(scope, dataInputs.get(i)));
                    else if (c.constantOp() != null) args.add(valueOf(scope, c.constantOp()));
                    else args.add(resource(c.variableKey(), origin));
                }
                String callPrefix = origin.contains("/") ? origin.substring(0, origin.lastIndexOf('/')) : scope.prefix;
                pending.body = functionBody(f, args, callPrefix);
            }
            List<Value> outs = new ArrayList<>();
            for (var out : f.getSignature().getOutputArgList()) outs.add(valueOf(pending.body, f.getRetMap().get(out.getName())));
            return outs;
        }
        switch (op) {
            case "Placeholder" -> throw ConversionException.badInput("the graph needs a value for placeholder '" + node.getName()
                    + "' that is not a signature input; choose another signature with --signature");
            case "VarHandleOp", "VariableV2", "Variable" -> {
                String key = scope.tf1Keys.get(node.getName());
                if (key == null) throw ConversionException.badInput("variable '" + node.getName() + "' has no value in the checkpoint");
                Value r = resource(key, origin);
                return op.equals("VarHandleOp") ? List.of(r) : List.of(readVariable(r, origin));
            }
            case "ReadVariableOp" -> {
                return List.of(readVariable(valueOf(scope, dataInputs.get(0)), origin));
            }
            default -> { }
        }
        int layerEnd = origin.lastIndexOf('/');
        String layerPath = layerEnd < 0 ? "" : origin.substring(0, layerEnd);
        String layer = layerPath.contains("/") ? layerPath.substring(layerPath.lastIndexOf('/') + 1) : layerPath;
        pending.replay.rewind();
        LoweringContext ctx = new LoweringContext(node, opDefs.get(op), i -> valueOf(scope, dataInputs.get(i)), graph, origin, layer,
                new LoweringContext.TrainingMode(keepTrainingGraph, repairs), pending.replay);
        try {
            if (op.equals("Mean")) {
                List<Value> moving = movingStatistic(scope, node, ctx);
                if (moving != null) return moving;
            }
            return lowerings.lower(ctx);
        } catch (ConversionException | NotYetImported e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConversionException(ConversionException.Kind.INTERNAL, "internal error converting " + op + " at "
                    + ctx.describe() + ": " + e, e);
        }
    }

    private Value resource(String key, String origin) {
        Value r = Value.tensor(origin + "/resource", DType.RESOURCE, Shape.SCALAR);
        resourceKeys.put(r, key);
        return r;
    }

    private Value readVariable(Value resource, String origin) {
        String key = resourceKeys.get(resource);
        Constant data = key == null ? null : variables.get(key);
        if (data == null) {
            throw ConversionException.badInput("variable " + (key == null ? origin : "'" + key + "'")
                    + " has no value in the checkpoint: the variables/ folder does not belong to this saved_model.pb");
        }
        return graph.constant(origin, data);
    }

    /** The scope of a function body inlined with {@code args}; its return values are imported like any node. */
    private static Scope functionBody(FunctionDef f, List<Value> args, String prefix) {
        Scope scope = new Scope(true, prefix, List.copyOf(f.getRetMap().values()));
        for (NodeDef n : f.getNodeDefList()) scope.nodes.put(n.getName(), n);
        var inputArgs = f.getSignature().getInputArgList();
        for (var arg : inputArgs) if (arg.getType() == DataType.DT_RESOURCE) scope.resourceArgs.add(arg.getName());
        for (int i = 0; i < inputArgs.size() && i < args.size(); i++) scope.args.put(inputArgs.get(i).getName(), args.get(i));
        return scope;
    }
}
