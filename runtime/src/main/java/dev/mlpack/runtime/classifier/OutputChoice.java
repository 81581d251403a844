package dev.mlpack.runtime.classifier;

import dev.mlpack.runtime.metadata.OutputActivation;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The classifier output of a model and how it was found. {@link #choose} is the one default rule that optimize,
 * evaluate and serve share: the output asked for; else the only output; else the one whose class count equals the
 * labels'; else the only softmax; else, for lack of anything better, the first output ({@link Reason#FIRST_OF_SEVERAL},
 * which a command that must not guess refuses with {@link #requireClear()}).
 *
 * @param output the classifier output
 * @param reason why it is the one
 * @param candidates every output of the model, in order
 * @param labelCount the number of labels the choice was made with, 0 for none
 */
public record OutputChoice(ClassifierOutput output, Reason reason, List<OutputCandidate> candidates, int labelCount) {

    /** How the classifier output was found. */
    public enum Reason {
        /** Named by the user ({@code --classifier-output NAME}). */
        REQUESTED,
        /** Recorded in the model's mlpack metadata when it was converted. */
        RECORDED,
        /** The model has no other output. */
        ONLY_OUTPUT,
        /** The only output whose class count equals the number of labels. */
        LABEL_COUNT,
        /** The only softmax output. */
        ONLY_SOFTMAX,
        /** Nothing singles an output out; the first one is taken. */
        FIRST_OF_SEVERAL
    }

    public OutputChoice {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(reason, "reason");
        candidates = List.copyOf(candidates);
    }

    /**
     * Applies the default rule (see the class comment).
     *
     * @param outputs the model's outputs, in order; at least one
     * @param requested the name the user asked for, or null
     * @param labelCount the number of labels the model comes with, 0 for none
     * @throws IllegalArgumentException if {@code requested} names no output (the message lists them)
     */
    public static OutputChoice choose(List<OutputCandidate> outputs, String requested, int labelCount) {
        if (outputs.isEmpty()) throw new IllegalArgumentException("the model has no outputs");
        if (requested != null) {
            int i = indexOf(outputs, requested);
            if (i < 0) {
                throw new IllegalArgumentException("--classifier-output " + requested + " names no output of the model; its outputs are "
                        + list(outputs));
            }
            return new OutputChoice(outputs.get(i).asClassifier(i), Reason.REQUESTED, outputs, labelCount);
        }
        if (outputs.size() == 1) return new OutputChoice(outputs.getFirst().asClassifier(0), Reason.ONLY_OUTPUT, outputs, labelCount);
        int byLabels = labelCount > 0 ? only(outputs, c -> c.classes() == labelCount) : -1;
        if (byLabels >= 0) return new OutputChoice(outputs.get(byLabels).asClassifier(byLabels), Reason.LABEL_COUNT, outputs, labelCount);
        int softmax = only(outputs, c -> c.activation() == OutputActivation.SOFTMAX
                && (labelCount == 0 || c.classes() == labelCount || none(outputs, labelCount)));
        if (softmax >= 0) return new OutputChoice(outputs.get(softmax).asClassifier(softmax), Reason.ONLY_SOFTMAX, outputs, labelCount);
        return new OutputChoice(outputs.getFirst().asClassifier(0), Reason.FIRST_OF_SEVERAL, outputs, labelCount);
    }

    /**
     * The output recorded in the metadata, read with the recorded activation.
     *
     * @throws IllegalArgumentException if the model has no output of that name
     */
    public static OutputChoice recorded(List<OutputCandidate> outputs, String name, OutputActivation activation) {
        int i = indexOf(outputs, name);
        if (i < 0) {
            throw new IllegalArgumentException("the model's metadata names the classifier output '" + name
                    + "', which the model does not have (its outputs are " + list(outputs) + "): choose one with --classifier-output NAME");
        }
        OutputCandidate c = outputs.get(i);
        return new OutputChoice(new OutputCandidate(c.name(), c.units(), activation).asClassifier(i), Reason.RECORDED, outputs, 0);
    }

    /**
     * This choice, unless it is a guess among several outputs.
     *
     * @throws IllegalArgumentException for {@link Reason#FIRST_OF_SEVERAL}: one line listing the outputs and saying how to
     *     choose
     */
    public OutputChoice requireClear() {
        if (reason != Reason.FIRST_OF_SEVERAL) return this;
        String why = labelCount > 0 ? "none is the only one with " + labelCount + " classes or the only softmax"
                : "none is the only softmax";
        throw new IllegalArgumentException("the model has " + candidates.size() + " outputs and " + why + ": " + list(candidates)
                + "; choose the classifier with --classifier-output NAME");
    }

    /** {@code output_0 (10 units, softmax), output_1 (1 unit, sigmoid)}. */
    public static String list(List<OutputCandidate> outputs) {
        return outputs.stream().map(OutputCandidate::describe).collect(Collectors.joining(", "));
    }

    private static int indexOf(List<OutputCandidate> outputs, String name) {
        for (int i = 0; i < outputs.size(); i++) if (outputs.get(i).name().equals(name)) return i;
        return -1;
    }

    /** The index of the only output matching, or -1 when none or several do. */
    private static int only(List<OutputCandidate> outputs, java.util.function.Predicate<OutputCandidate> test) {
        int found = -1;
        for (int i = 0; i < outputs.size(); i++) {
            if (!test.test(outputs.get(i))) continue;
            if (found >= 0) return -1;
            found = i;
        }
        return found;
    }

    /** Whether no output has {@code labelCount} classes (then the labels cannot have meant any of them). */
    private static boolean none(List<OutputCandidate> outputs, int labelCount) {
        return outputs.stream().noneMatch(c -> c.classes() == labelCount);
    }
}
