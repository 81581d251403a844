package dev.mlpack.optimizer.tf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.NodeDef;

/**
 * Recognises BatchNormalization run in training mode: a mean over the batch (a batch moment) that feeds the
 * normalisation and also updates a moving statistic. Keras 3's {@code model.export()} of a model that starts with
 * preprocessing or augmentation layers traces BatchNormalization that way, so the SavedModel normalises each
 * image by its own statistics. The moving mean and variance that {@code model.predict} uses are the variables
 * those updates write: Keras 3 assigns {@code moving * momentum + moment * (1 - momentum)}, tf.keras 2
 * subtracts {@code (moving - moment) * (1 - momentum)}; both are a few elementwise steps from the moment to an
 * assignment.
 */
final class MovingStatistics {
    /** Elementwise steps between a moment and the assignment of its moving statistic (Squeeze, Mul, Add: 3 or 4). */
    private static final int MAX_STEPS = 6;
    private static final Set<String> ASSIGN_OPS = Set.of("AssignVariableOp", "AssignSubVariableOp", "AssignAddVariableOp",
            "Assign", "AssignSub", "AssignAdd");

    private record Use(NodeDef consumer, int input) {}

    private final Map<String, List<Use>> uses = new HashMap<>();

    /** @param nodes the nodes of one graph or function body */
    MovingStatistics(Iterable<NodeDef> nodes) {
        for (NodeDef n : nodes) {
            for (int i = 0; i < n.getInputCount(); i++) {
                String ref = n.getInput(i);
                if (!ref.startsWith("^")) uses.computeIfAbsent(AugmentationLayers.producer(ref), k -> new ArrayList<>()).add(new Use(n, i));
            }
        }
    }

    /**
     * For a Mean over the batch axis: the reference of the one variable handle its value is assigned to, found by
     * following its readers forward a few steps without passing another Mean (the variance is itself a Mean of
     * the squared difference from this one, and has its own moving statistic).
     */
    Optional<String> updatedVariable(NodeDef moment) {
        Set<String> found = new HashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> frontier = new ArrayDeque<>(List.of(moment.getName()));
        for (int step = 0; step < MAX_STEPS && !frontier.isEmpty(); step++) {
            Deque<String> next = new ArrayDeque<>();
            for (String name : frontier) {
                for (Use use : uses.getOrDefault(name, List.of())) {
                    NodeDef c = use.consumer();
                    if (ASSIGN_OPS.contains(c.getOp())) {
                        if (use.input() == 1) found.add(c.getInput(0));
                    } else if (!c.getOp().equals("Mean") && seen.add(c.getName())) {
                        next.add(c.getName());
                    }
                }
            }
            frontier = next;
        }
        return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
    }
}
