package dev.mlpack.runtime.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.classifier.OutputChoice.Reason;
import dev.mlpack.runtime.metadata.OutputActivation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default rule for which output is the classifier, shared by optimize, evaluate and serve. */
class OutputChoiceTest {
    static final OutputCandidate CLASSES = new OutputCandidate("output_0", 10, OutputActivation.SOFTMAX);
    static final OutputCandidate IS_TOP = new OutputCandidate("output_1", 1, OutputActivation.SIGMOID);
    static final OutputCandidate EMBEDDING = new OutputCandidate("embedding", 10, OutputActivation.NONE);

    @Test
    void theOnlyOutputIsTheClassifier() {
        OutputChoice c = OutputChoice.choose(List.of(IS_TOP), null, 0);
        assertEquals(Reason.ONLY_OUTPUT, c.reason());
        assertEquals(new ClassifierOutput("output_1", 0, 1, OutputActivation.SIGMOID), c.output());
    }

    @Test
    void theOutputWithTheLabelCountWins() {
        // two labels match the single sigmoid unit (two classes), not the 10-way softmax
        OutputChoice c = OutputChoice.choose(List.of(CLASSES, IS_TOP), null, 2);
        assertEquals(Reason.LABEL_COUNT, c.reason());
        assertEquals("output_1", c.output().name());
        assertEquals(1, c.output().index());
    }

    @Test
    void otherwiseTheOnlySoftmax() {
        assertEquals(Reason.ONLY_SOFTMAX, OutputChoice.choose(List.of(IS_TOP, CLASSES), null, 0).reason());
        assertEquals("output_0", OutputChoice.choose(List.of(IS_TOP, CLASSES), null, 0).output().name());
        // several outputs have the label count: the softmax among them
        OutputChoice tie = OutputChoice.choose(List.of(EMBEDDING, CLASSES), null, 10);
        assertEquals(Reason.ONLY_SOFTMAX, tie.reason());
        assertEquals("output_0", tie.output().name());
    }

    @Test
    void nothingClearIsTheFirstOutputWhichCommandsThatMustNotGuessRefuse() {
        OutputChoice c = OutputChoice.choose(List.of(EMBEDDING, IS_TOP), null, 0);
        assertEquals(Reason.FIRST_OF_SEVERAL, c.reason());
        assertEquals("embedding", c.output().name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::requireClear);
        assertEquals("the model has 2 outputs and none is the only softmax: embedding (10 units, none), output_1 (1 unit, sigmoid);"
                + " choose the classifier with --classifier-output NAME", e.getMessage());
        OutputChoice clear = OutputChoice.choose(List.of(CLASSES), null, 0);
        assertSame(clear, clear.requireClear());
    }

    @Test
    void anOutputAskedForByNameWinsAndAnUnknownNameIsRefused() {
        OutputChoice c = OutputChoice.choose(List.of(CLASSES, IS_TOP), "output_1", 10);
        assertEquals(Reason.REQUESTED, c.reason());
        assertEquals("output_1", c.output().name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutputChoice.choose(List.of(CLASSES, IS_TOP), "scores", 0));
        assertTrue(e.getMessage().startsWith("--classifier-output scores names no output of the model; its outputs are output_0 (10 units,"
                + " softmax), output_1 (1 unit, sigmoid)"), e.getMessage());
    }

    @Test
    void theRecordedOutputKeepsTheRecordedActivation() {
        OutputChoice c = OutputChoice.recorded(List.of(CLASSES, EMBEDDING), "embedding", OutputActivation.NONE);
        assertEquals(Reason.RECORDED, c.reason());
        assertEquals(new ClassifierOutput("embedding", 1, 10, OutputActivation.NONE), c.output());
        assertThrows(IllegalArgumentException.class, () -> OutputChoice.recorded(List.of(CLASSES), "gone", OutputActivation.NONE));
    }
}
