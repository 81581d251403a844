package dev.mlpack.optimizer.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.budget.BudgetSearch.Precision;
import dev.mlpack.optimizer.prune.PruneSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which the accuracy search gives up size for accuracy, and what each step is called in its path. */
class BudgetSearchTest {
    @Test
    void int8FallsBackLayerByLayerBeforeWholeModelsGoFloat() {
        List<Precision> ladder = BudgetSearch.precisionLadder(Quantize.INT8, List.of(), List.of("conv_dw_1", "conv_pw_1", "conv1", "fc"));
        assertEquals(List.of(
                new Precision(Quantize.INT8, List.of()),
                new Precision(Quantize.INT8, List.of("conv_dw_1")),
                new Precision(Quantize.INT8, List.of("conv_dw_1", "conv_pw_1", "conv1")),
                new Precision(Quantize.FLOAT16, List.of()),
                new Precision(Quantize.NONE, List.of())), ladder);
    }

    @Test
    void theUsersFloatLayersStayInEveryInt8Step() {
        List<Precision> ladder = BudgetSearch.precisionLadder(Quantize.INT8, List.of("head*"), List.of("conv_dw_1", "head_dense"));
        assertEquals(new Precision(Quantize.INT8, List.of("head*")), ladder.get(0));
        assertEquals(new Precision(Quantize.INT8, List.of("head*", "conv_dw_1")), ladder.get(1));
        assertEquals(Quantize.FLOAT16, ladder.get(2).quantize(), "too few layers for the three-layer step");
    }

    @Test
    void otherModesOnlyBecomeMorePrecise() {
        assertEquals(List.of(new Precision(Quantize.DYNAMIC, List.of()), new Precision(Quantize.FLOAT16, List.of()),
                new Precision(Quantize.NONE, List.of())), BudgetSearch.precisionLadder(Quantize.DYNAMIC, List.of(), List.of("a", "b", "c")));
        assertEquals(List.of(new Precision(Quantize.NONE, List.of())), BudgetSearch.precisionLadder(Quantize.NONE, List.of(), List.of()));
    }

    @Test
    void settingsNameTheFloatLayersAndPerLayerSparsity() {
        assertEquals("int8 (float conv_dw_1, conv1), prune 0.50 (layer), conv_pw_13 0.75", BudgetSearch.setting(
                new Precision(Quantize.INT8, List.of("conv_dw_1", "conv1")),
                PruneSettings.of(0.5).withPerLayer(java.util.Map.of("conv_pw_13", 0.75))));
        assertEquals("float16, dense", BudgetSearch.setting(new Precision(Quantize.FLOAT16, List.of()), PruneSettings.NONE));
    }

    @Test
    void theTrialBoundCountsTheFallbackSteps() {
        BudgetSearch.Targets accuracy = new BudgetSearch.Targets(null, 1.0, java.nio.file.Path.of("data"), 0);
        // int8, its two fallback steps, float16 and float32; then the bisection, then the largest layers one by one
        assertEquals(5 + BudgetSearch.ACCURACY_BISECTION_STEPS + BudgetSearch.REFINED_LAYERS,
                BudgetSearch.maxTrials(Quantize.INT8, true, accuracy));
        assertEquals(3 + BudgetSearch.ACCURACY_BISECTION_STEPS + BudgetSearch.REFINED_LAYERS,
                BudgetSearch.maxTrials(Quantize.DYNAMIC, false, accuracy));
    }
}
