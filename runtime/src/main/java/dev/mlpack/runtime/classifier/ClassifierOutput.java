package dev.mlpack.runtime.classifier;

import dev.mlpack.runtime.metadata.OutputActivation;
import java.util.Objects;

/**
 * Which output of a model is the classifier, and the one way its raw values become class probabilities, shared by
 * evaluation, serving, the package self-check and int8 calibration so that they all score a model alike:
 *
 * <ul>
 *   <li>softmax: the values as they are;
 *   <li>sigmoid, one unit (a binary classifier, as in the cat/dog tutorials): two classes {@code [1 - p, p]}, class 1
 *       being what the unit measures;
 *   <li>sigmoid, several units: as they are (independent probabilities, one per class);
 *   <li>logits ({@link OutputActivation#NONE}), one unit: a sigmoid, then {@code [1 - p, p]};
 *   <li>logits, several units: a softmax.
 * </ul>
 *
 * <p>The model's own output is never changed (a {@code .tflite} keeps returning logits as logits); mlpack applies the
 * activation when it turns outputs into scores, and the metadata says so.
 *
 * @param name the output's name: the signature's output key (e.g. {@code output_0})
 * @param index the output's position among the model's outputs
 * @param units the output's values per image (its dimensions after the batch)
 * @param activation what those values are
 */
public record ClassifierOutput(String name, int index, int units, OutputActivation activation) {

    public ClassifierOutput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(activation, "activation");
        if (index < 0) throw new IllegalArgumentException("output index must not be negative, got " + index);
        if (units < 1) throw new IllegalArgumentException("a classifier output has at least one unit, got " + units);
    }

    /** Whether one unit stands for two classes, {@code [1 - p, p]} (a single sigmoid unit or logit). */
    public boolean binaryFromOneUnit() {
        return units == 1 && activation != OutputActivation.SOFTMAX;
    }

    /** How many classes the scores have: 2 for one sigmoid unit or logit, else the units. */
    public int classes() {
        return binaryFromOneUnit() ? 2 : units;
    }

    /**
     * The class probabilities of one image (see the class comment).
     *
     * @param raw the output's values for one image, {@link #units} of them
     * @throws IllegalArgumentException if {@code raw} has another length
     */
    public float[] probabilities(float[] raw) {
        if (raw.length != units) {
            throw new IllegalArgumentException("output '" + name + "' has " + units + " units, got " + raw.length + " values");
        }
        if (binaryFromOneUnit()) {
            float p = activation == OutputActivation.SIGMOID ? raw[0] : sigmoid(raw[0]);
            return new float[] {1f - p, p};
        }
        return activation == OutputActivation.NONE ? softmax(raw) : raw.clone();
    }

    /**
     * One phrase for what the command line prints, e.g. {@code 10 classes, softmax}, {@code 1 unit, sigmoid: scored as
     * two classes [1-p, p]} or {@code 10 logits: mlpack applies softmax to score them}.
     */
    public String describe() {
        return switch (activation) {
            case SOFTMAX -> units + (units == 1 ? " class" : " classes") + ", softmax";
            case SIGMOID -> units == 1 ? "1 unit, sigmoid: scored as two classes [1-p, p]"
                    : units + " units, sigmoid: independent probabilities, one per class";
            case NONE -> units == 1 ? "1 logit: mlpack applies a sigmoid and scores two classes [1-p, p]"
                    : units + " logits: mlpack applies softmax to score them";
        };
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-(double) x)));
    }

    /** A softmax in double, shifted by the maximum so that large logits do not overflow. */
    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) (e[i] / sum);
        return out;
    }
}
