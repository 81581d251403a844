package dev.mlpack.runtime.metadata;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The last function a classifier output went through in the model: what its raw values are. */
public enum OutputActivation {
    /** Probabilities over the classes, summing to 1. */
    SOFTMAX,
    /** Independent probabilities per unit; one unit is a binary classifier's P(class 1). */
    SIGMOID,
    /** Logits: the model ends without a softmax or a sigmoid (e.g. trained with {@code from_logits=True}). */
    NONE;

    /** The lower-case name used in the metadata and on the command line: softmax, sigmoid or none. */
    public String metadataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a {@link #metadataName()}, ignoring case and surrounding spaces.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public static OutputActivation parse(String name) {
        if (name != null) {
            for (OutputActivation a : values()) {
                if (a.name().equalsIgnoreCase(name.trim())) return a;
            }
        }
        throw new IllegalArgumentException("unknown output activation '" + name + "'; expected one of "
                + Arrays.stream(values()).map(OutputActivation::metadataName).collect(Collectors.joining(", ")));
    }
}
