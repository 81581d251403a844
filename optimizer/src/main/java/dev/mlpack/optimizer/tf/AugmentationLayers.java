package dev.mlpack.optimizer.tf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Finds the random layers of one graph or function body that are identities at inference: Keras' Random*
 * augmentation layers (and Dropout or GaussianNoise) that an export traced in training mode, so that their random
 * flips, rotations and noise run at serving time too. Such a layer is recognised as a whole, by its name scope:
 *
 * <ul>
 *   <li>what the scope hands on depends on a random op in it (or on a call of a function that holds one), not only
 *       the scope holds one (TF 1 graphs keep the random initializers of their variables);
 *   <li>it reads exactly one tensor from outside (the image), besides constants and variables;
 *   <li>every variable it reads it also writes (a random generator's state, never weights);
 *   <li>everything it hands to the rest of the graph has that image's shape (checked by the importer, which knows
 *       the image's shape, against the {@code _output_shapes} TensorFlow records on each node).
 * </ul>
 *
 * A scope that fails any of these is not dropped, and its random ops then stop the conversion by name.
 */
final class AugmentationLayers {
    /** A droppable layer: its name scope, the reference of its one image input, and the shapes it hands on (null: unknown). */
    record Layer(String scope, String input, List<int[]> outputShapes) {
        /** The layer's own name: the last segment of its scope. */
        String name() { return scope.substring(scope.lastIndexOf('/') + 1); }
    }

    private static final Set<String> VARIABLES = Set.of("VarHandleOp", "VariableV2", "Variable");
    private static final Set<String> ASSIGN_OPS = Set.of("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
            "Assign", "AssignAdd", "AssignSub");

    private final Map<String, NodeDef> nodes;
    private final Collection<String> returnRefs;
    private final Set<String> resourceArgs;
    private final ToIntFunction<String> outputIndex;
    private final Predicate<NodeDef> isRandom;
    private final Set<String> randomScopes = new HashSet<>();
    private final Map<String, Optional<Layer>> analysed = new HashMap<>();

    /**
     * @param nodes the scope's nodes by name
     * @param returnRefs what the scope hands to its caller (function returns, or the signature's outputs)
     * @param resourceArgs names of function arguments that are variable handles
     * @param isRandom whether a node is a random op or calls a function holding one
     * @param outputIndex the flat output index a reference names on its node
     */
    AugmentationLayers(Map<String, NodeDef> nodes, Collection<String> returnRefs, Set<String> resourceArgs,
                       Predicate<NodeDef> isRandom, ToIntFunction<String> outputIndex) {
        this.nodes = nodes;
        this.returnRefs = returnRefs;
        this.resourceArgs = resourceArgs;
        this.outputIndex = outputIndex;
        this.isRandom = isRandom;
        for (NodeDef n : nodes.values()) if (isRandom.test(n)) randomScopes.addAll(scopesOf(n.getName()));
    }

    /** The innermost droppable layer whose scope holds {@code nodeName}, if any. */
    Optional<Layer> enclosing(String nodeName) {
        if (randomScopes.isEmpty()) return Optional.empty();
        List<String> scopes = scopesOf(nodeName);
        for (int i = scopes.size() - 1; i >= 0; i--) {
            String scope = scopes.get(i);
            if (!randomScopes.contains(scope)) continue;
            Optional<Layer> layer = analysed.computeIfAbsent(scope, this::analyse);
            if (layer.isPresent()) return layer;
        }
        return Optional.empty();
    }

    /** "a/b/c" -> [a, a/b, a/b/c]: the name scopes a node belongs to, outermost first, its own name last. */
    static List<String> scopesOf(String name) {
        List<String> out = new ArrayList<>();
        for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) out.add(name.substring(0, i));
        out.add(name);
        return out;
    }

    private static boolean inside(String name, String scope) {
        return name.equals(scope) || name.startsWith(scope + "/");
    }

    private Optional<Layer> analyse(String scope) {
        Set<String> inputs = new LinkedHashSet<>();
        Set<String> read = new HashSet<>();
        Set<String> written = new HashSet<>();
        List<String> outgoing = new ArrayList<>(returnRefs.stream().filter(r -> inside(producer(r), scope)).toList());
        for (NodeDef n : nodes.values()) {
            boolean member = inside(n.getName(), scope);
            for (int i = 0; i < n.getInputCount(); i++) {
                String ref = n.getInput(i);
                if (ref.startsWith("^")) continue;
                String from = producer(ref);
                if (!member) {
                    if (inside(from, scope)) outgoing.add(ref);
                    continue;
                }
                NodeDef p = nodes.get(from);
                if (resourceArgs.contains(from) || p != null && VARIABLES.contains(p.getOp())) {
                    (ASSIGN_OPS.contains(n.getOp()) && i == 0 ? written : read).add(from);
                    continue;
                }
                if (inside(from, scope) || p != null && p.getOp().equals("Const")) continue;
                inputs.add(ref);
            }
        }
        if (inputs.size() != 1 || !written.containsAll(read) || outgoing.isEmpty() || !dependsOnRandom(outgoing, scope)) {
            return Optional.empty();
        }
        List<int[]> shapes = new ArrayList<>();
        for (String ref : outgoing) {
            int[] shape = recordedShape(nodes.get(producer(ref)), outputIndex.applyAsInt(ref));
            if (shape == null) {
                shapes = null;
                break;
            }
            shapes.add(shape);
        }
        return Optional.of(new Layer(scope, inputs.iterator().next(), shapes));
    }

    /** Whether a random op inside the scope is among the ancestors of what the scope hands on. */
    private boolean dependsOnRandom(List<String> outgoing, String scope) {
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        outgoing.forEach(ref -> todo.add(producer(ref)));
        while (!todo.isEmpty()) {
            NodeDef n = nodes.get(todo.pop());
            if (n == null || !inside(n.getName(), scope) || !seen.add(n.getName())) continue;
            if (isRandom.test(n)) return true;
            for (String ref : n.getInputList()) if (!ref.startsWith("^")) todo.add(producer(ref));
        }
        return false;
    }

    /** The shape TensorFlow recorded for output {@code index} of a node ({@code -1} for unknown sizes), or null. */
    private static int[] recordedShape(NodeDef node, int index) {
        AttrValue shapes = node == null ? null : node.getAttrMap().get("_output_shapes");
        if (shapes == null || index >= shapes.getList().getShapeCount()) return null;
        TensorShapeProto s = shapes.getList().getShape(index);
        if (s.getUnknownRank()) return null;
        return s.getDimList().stream().mapToInt(d -> (int) d.getSize()).toArray();
    }

    /** Whether a recorded shape (with -1 for unknown sizes) fits a static one. */
    static boolean fits(int[] recorded, int[] actual) {
        if (recorded.length != actual.length) return false;
        for (int i = 0; i < recorded.length; i++) if (recorded[i] >= 0 && recorded[i] != actual[i]) return false;
        return true;
    }

    /** The node a reference reads: {@code "^n"}, {@code "n"}, {@code "n:1"} or {@code "n:out:0"} all name node n. */
    static String producer(String ref) {
        String n = ref.startsWith("^") ? ref.substring(1) : ref;
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }
}
