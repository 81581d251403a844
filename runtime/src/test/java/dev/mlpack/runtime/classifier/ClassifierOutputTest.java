package dev.mlpack.runtime.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.metadata.OutputActivation;
import org.junit.jupiter.api.Test;

/** How each kind of classifier output becomes class probabilities. */
class ClassifierOutputTest {

    static ClassifierOutput output(int units, OutputActivation activation) {
        return new ClassifierOutput("output_0", 0, units, activation);
    }

    @Test
    void softmaxScoresAreTakenAsTheyAre() {
        ClassifierOutput out = output(3, OutputActivation.SOFTMAX);
        assertEquals(3, out.classes());
        assertArrayEquals(new float[] {0.2f, 0.5f, 0.3f}, out.probabilities(new float[] {0.2f, 0.5f, 0.3f}));
    }

    @Test
    void oneSigmoidUnitIsTwoClassesOneMinusPAndP() {
        ClassifierOutput out = output(1, OutputActivation.SIGMOID);
        assertTrue(out.binaryFromOneUnit());
        assertEquals(2, out.classes());
        // P(class 1) = 0.6: class 1 wins, which is what /predict must name (it said class "0" before).
        assertArrayEquals(new float[] {0.4f, 0.6f}, out.probabilities(new float[] {0.6f}), 1e-7f);
    }

    @Test
    void severalSigmoidUnitsAreIndependentProbabilities() {
        ClassifierOutput out = output(3, OutputActivation.SIGMOID);
        assertFalse(out.binaryFromOneUnit());
        assertEquals(3, out.classes());
        assertArrayEquals(new float[] {0.9f, 0.8f, 0.1f}, out.probabilities(new float[] {0.9f, 0.8f, 0.1f}));
    }

    @Test
    void logitsGetASoftmax() {
        // The logits /predict used to return as "scores".
        float[] p = output(2, OutputActivation.NONE).probabilities(new float[] {-0.27f, -0.56f});
        double e0 = Math.exp(-0.27), e1 = Math.exp(-0.56);
        assertArrayEquals(new float[] {(float) (e0 / (e0 + e1)), (float) (e1 / (e0 + e1))}, p, 1e-7f);
        // large logits do not overflow
        assertArrayEquals(new float[] {0f, 1f}, output(2, OutputActivation.NONE).probabilities(new float[] {-1000f, 1000f}));
    }

    @Test
    void oneLogitGetsASigmoidThenTwoClasses() {
        ClassifierOutput out = output(1, OutputActivation.NONE);
        assertEquals(2, out.classes());
        float p = (float) (1 / (1 + Math.exp(-0.4)));
        assertArrayEquals(new float[] {1 - p, p}, out.probabilities(new float[] {0.4f}), 1e-7f);
    }

    @Test
    void describesItselfForTheSummaryLine() {
        assertEquals("10 classes, softmax", output(10, OutputActivation.SOFTMAX).describe());
        assertEquals("1 unit, sigmoid: scored as two classes [1-p, p]", output(1, OutputActivation.SIGMOID).describe());
        assertEquals("10 logits: mlpack applies softmax to score them", output(10, OutputActivation.NONE).describe());
        assertEquals("1 logit: mlpack applies a sigmoid and scores two classes [1-p, p]", output(1, OutputActivation.NONE).describe());
    }

    @Test
    void rejectsValuesOfAnotherLength() {
        assertThrows(IllegalArgumentException.class, () -> output(1, OutputActivation.SIGMOID).probabilities(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> output(0, OutputActivation.SIGMOID));
    }

    @Test
    void activationNamesRoundTrip() {
        for (OutputActivation a : OutputActivation.values()) assertEquals(a, OutputActivation.parse(" " + a.metadataName().toUpperCase() + " "));
        assertThrows(IllegalArgumentException.class, () -> OutputActivation.parse("relu"));
    }
}
