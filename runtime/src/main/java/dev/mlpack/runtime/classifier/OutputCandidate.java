package dev.mlpack.runtime.classifier;

import dev.mlpack.runtime.metadata.OutputActivation;
import java.util.Objects;

/**
 * One output of a model that could be its classifier.
 *
 * @param name the output's name (the signature's output key)
 * @param units its values per image ({@link #unitsOf})
 * @param activation what its values are, as far as the graph shows
 */
public record OutputCandidate(String name, int units, OutputActivation activation) {
    public OutputCandidate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(activation, "activation");
    }

    /**
     * The values per image of an output of {@code shape}: everything after the batch dimension (10 for {@code [1, 10]},
     * 48 for {@code [1, 4, 4, 3]}), the one dimension of a rank-1 shape, 1 for a scalar; -1 when a dimension after the
     * batch is unknown (negative).
     */
    public static int unitsOf(int[] shape) {
        if (shape.length == 0) return 1;
        if (shape.length == 1) return shape[0];
        long n = 1;
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] < 0) return -1;
            n *= shape[d];
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** This output read as the classifier, at position {@code index} among the model's outputs. */
    ClassifierOutput asClassifier(int index) {
        return new ClassifierOutput(name, index, Math.max(1, units), activation);
    }

    /** How many classes it would score (2 for a single sigmoid unit or logit). */
    int classes() {
        return asClassifier(0).classes();
    }

    /** {@code output_1 (1 unit, sigmoid)}, for messages. */
    String describe() {
        return name + " (" + units + (units == 1 ? " unit, " : " units, ") + activation.metadataName() + ")";
    }
}
