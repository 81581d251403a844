package dev.mlpack.optimizer;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ops.Shapes;
import dev.mlpack.optimizer.ops.Storage;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.classifier.OutputCandidate;
import dev.mlpack.runtime.classifier.OutputChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which output of a SavedModel's graph is the classifier, by the rule every command shares ({@link OutputChoice}):
 * {@code --classifier-output NAME}, else the only output, else the one with the labels' class count, else the only
 * softmax; anything less clear is exit 2 listing the outputs. Its activation is what the graph computes last (looking
 * through reshapes), so that mlpack scores logits with a softmax (or a sigmoid for one unit) and a single sigmoid unit
 * as two classes {@code [1 - p, p]}; the written model keeps every output as the SavedModel returns it.
 */
public final class ClassifierHead {
    private ClassifierHead() {}

    /**
     * The classifier output of {@code graph}.
     *
     * @param requested the signature output key the user named, or null
     * @param labelCount the number of {@code --labels}, 0 for none
     * @throws ConversionException (bad input) when the name is unknown or no output is clearly the classifier
     */
    public static ClassifierOutput of(Graph graph, String requested, int labelCount) {
        try {
            return OutputChoice.choose(candidates(graph), requested, labelCount).requireClear().output();
        } catch (IllegalArgumentException e) {
            throw ConversionException.badInput(e.getMessage());
        }
    }

    /**
     * Checks {@code --labels} against the classes the classifier output scores: two names for a single sigmoid unit
     * or logit (class 0, then class 1), one per unit otherwise.
     *
     * @throws ConversionException (bad input) naming the mismatch and the fix
     */
    public static void checkLabels(List<String> labels, Path labelsFile, ClassifierOutput classifier) {
        if (labels.isEmpty() || labels.size() == classifier.classes()) return;
        String has = labelsFile + " has " + labels.size() + (labels.size() == 1 ? " name" : " names");
        if (classifier.binaryFromOneUnit()) {
            throw ConversionException.badInput(has + " but the classifier output '" + classifier.name() + "' is " + classifier.describe()
                    + ": give two names, class 0 (p < 0.5) then class 1");
        }
        throw ConversionException.badInput(has + " but the classifier output '" + classifier.name() + "' has " + classifier.units()
                + " outputs: give one label per output, in output order");
    }

    /** For the model's description in its metadata: which output is scored, and how. */
    public static String describe(ClassifierOutput classifier) {
        return "classifier output '" + classifier.name() + "': " + classifier.describe();
    }

    /** Every graph output as a candidate, in the order the written model returns them. */
    public static List<OutputCandidate> candidates(Graph graph) {
        List<OutputCandidate> out = new ArrayList<>();
        for (Map.Entry<String, Value> e : graph.outputs().entrySet()) {
            Value v = e.getValue();
            int units = OutputCandidate.unitsOf(v.shape().dims());
            out.add(new OutputCandidate(e.getKey(), units, activation(v)));
        }
        return out;
    }

    /** SOFTMAX is softmax, LOGISTIC sigmoid, anything else logits; reshapes and (de)quantization only carry values. */
    static OutputActivation activation(Value output) {
        Node n = output.producer();
        while (n != null && (n.op() == Shapes.RESHAPE || n.op() == Storage.QUANTIZE || n.op() == Storage.DEQUANTIZE) && n.input(0) != null) {
            n = n.input(0).producer();
        }
        if (n == null) return OutputActivation.NONE;
        return n.op() == Activations.SOFTMAX ? OutputActivation.SOFTMAX : n.op() == Activations.LOGISTIC ? OutputActivation.SIGMOID : OutputActivation.NONE;
    }
}
