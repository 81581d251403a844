package dev.mlpack.optimizer.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.testing.Samples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which kernels magnitude pruning touches, how many zeros it leaves, and the checks on its settings. */
class MagnitudePrunerTest {
    static Graph sample;

    @BeforeAll
    static void importSample() {
        sample = Converter.importGraph(Samples.model(), "serving_default").graph();
        Pipeline.optimize(sample);
    }

    static PruneReport prune(PruneSettings settings) {
        return MagnitudePruner.prune(GraphCopy.of(sample), settings);
    }

    static PruneSettings settings(double fraction, PruneScope scope, List<String> skip, List<String> include) {
        return new PruneSettings(fraction, scope, skip, include, Map.of(), 1);
    }

    @Test
    void eachPrunedKernelLosesTheFractionAndSensitiveLayersStayDense() {
        PruneReport r = prune(PruneSettings.of(0.5));
        List<PruneReport.Layer> layers = r.layers();
        assertEquals("first conv", layers.getFirst().keptDense());
        assertEquals("classifier", layers.getLast().keptDense());
        for (PruneReport.Layer l : layers) {
            if (l.op().equals("DEPTHWISE_CONV_2D")) assertEquals("depthwise", l.keptDense(), l.name());
            if (l.pruned()) {
                assertTrue(l.sparsity() >= 0.45 && l.sparsity() <= 0.55, l.name() + " " + l.sparsity());
            } else {
                assertEquals(0, l.zeros(), l.name()); // the sample's kernels have no zeros of their own
            }
        }
        assertEquals(0.5, r.prunedSparsity(), 0.02);
        assertTrue(r.sparsity() < r.prunedSparsity());
    }

    @Test
    void zeroFractionPrunesNothingButStillReports() {
        PruneReport r = prune(PruneSettings.NONE);
        assertFalse(r.layers().isEmpty());
        assertEquals(0, r.zeros());
    }

    @Test
    void skipPatternsKeepLayersDenseAndIncludePatternsPruneSensitiveOnes() {
        PruneReport skipped = prune(settings(0.5, PruneScope.LAYER, List.of("block_1*"), List.of()));
        for (PruneReport.Layer l : skipped.layers()) {
            if (l.name().startsWith("block_1")) assertFalse(l.pruned(), l.name());
        }
        PruneReport included = prune(settings(0.5, PruneScope.LAYER, List.of(), List.of("probs")));
        PruneReport.Layer classifier = included.layers().getLast();
        assertNull(classifier.keptDense());
        assertEquals(0.5, classifier.sparsity(), 0.02);
    }

    @Test
    void globalScopeMeetsTheFractionOverAllPrunedKernelsTogether() {
        PruneReport r = prune(settings(0.5, PruneScope.GLOBAL, List.of(), List.of()));
        assertEquals(0.5, r.prunedSparsity(), 0.01);
        double min = r.layers().stream().filter(PruneReport.Layer::pruned).mapToDouble(PruneReport.Layer::sparsity).min().orElseThrow();
        double max = r.layers().stream().filter(PruneReport.Layer::pruned).mapToDouble(PruneReport.Layer::sparsity).max().orElseThrow();
        assertTrue(max - min > 0.05, "one threshold gives layers different sparsities: " + min + ".." + max);
    }

    @Test
    void blocksZeroWholeRunsOfInputChannels() {
        Graph g = GraphCopy.of(sample);
        PruneReport r = MagnitudePruner.prune(g, new PruneSettings(0.5, PruneScope.LAYER, List.of(), List.of(), Map.of(), 4));
        assertEquals(0.5, r.prunedSparsity(), 0.02);
        for (MagnitudePruner.Kernel k : MagnitudePruner.kernels(g, PruneSettings.NONE)) {
            int last = k.weights().shape().dim(-1);
            if (last % 4 != 0 || k.keptDense() != null) continue;
            float[] w = k.weights().data().floatView();
            for (int i = 0; i < w.length; i += 4) {
                int zeros = 0;
                for (int j = i; j < i + 4; j++) if (w[j] == 0) zeros++;
                assertTrue(zeros == 0 || zeros == 4, k.name() + " run at " + i + " has " + zeros + " zeros");
            }
        }
    }

    @Test
    void fractionsOutsideZeroTo099AreRefused() {
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            ConversionException e = assertThrows(ConversionException.class, () -> PruneSettings.of(bad));
            assertTrue(e.getMessage().startsWith("--prune must be a fraction between 0 and 0.99"), e.getMessage());
        }
        assertEquals(0.99, PruneSettings.of(0.99).fraction());
    }

    @Test
    void globsMatchKerasNamesWithOrWithoutTheExportSuffix() {
        PruneSettings s = settings(0.5, PruneScope.LAYER, List.of("block_?_project", "Conv_1"), List.of());
        assertTrue(s.skips("block_3_project_1"));
        assertTrue(s.skips("block_3_project"));
        assertTrue(s.skips("Conv_1"));
        assertFalse(s.skips("block_13_project_1"));
        assertFalse(s.skips("block_3_project_x"));
    }

    @Test
    void sizesParseWithUnitsAndMalformedOnesAreRefused() {
        assertEquals(1_500_000, SizeBudget.parseSize("1500000"));
        assertEquals(800 * 1024, SizeBudget.parseSize("800KB"));
        assertEquals(800 * 1024, SizeBudget.parseSize("800 kb"));
        assertEquals((long) (1.5 * 1024 * 1024), SizeBudget.parseSize("1.5MB"));
        for (String bad : new String[] {"", "MB", "5XB", "-3KB", "1,5MB", "0"}) {
            ConversionException e = assertThrows(ConversionException.class, () -> SizeBudget.parseSize(bad), bad);
            assertTrue(e.getMessage().startsWith("--max-size"), e.getMessage());
        }
    }
}
