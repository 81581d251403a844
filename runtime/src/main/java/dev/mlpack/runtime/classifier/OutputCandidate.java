package dev.mlpack.runtime.classifier;

import java.util.Objects;

/**
 * One output of a model that could be its classifier.
 *
 * @param name the output's name (the signature's output key)
 * @param units its last dimension
 * @param activation what its values are, as far as the graph shows
 */
public record OutputCandidate(String name, int units, OutputActivation activation) {
    public OutputCandidate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(activation, "activation");
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
