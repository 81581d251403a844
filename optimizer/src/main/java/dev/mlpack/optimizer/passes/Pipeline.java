package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Graph;
import java.util.List;

/** The float optimization passes, in the order their patterns depend on. */
public final class Pipeline {
    private Pipeline() {}

    /** Passes that leave a graph equivalent to the SavedModel, ready for quantization or writing. */
    public static void optimize(Graph graph) {
        graph.removeDeadNodes();
        runToFixpoint(graph, List.of(new Canonicalize(), new FoldAffineIntoLinear()));
        new RecognizeActivations().run(graph);
        runToFixpoint(graph, List.of(new FuseActivations()));
        graph.removeDeadNodes();
        graph.sortTopologically();
    }

    /** The last rewrites before {@code TfliteWriter}. */
    public static void legalizeForWriting(Graph graph) {
        new LegalizeForTflite().run(graph);
        graph.removeDeadNodes();
        graph.sortTopologically();
    }

    static void runToFixpoint(Graph graph, List<Pass> passes) {
        for (int round = 0; round < 32; round++) {
            boolean changed = false;
            for (Pass p : passes) changed |= p.run(graph);
            if (!changed) return;
        }
    }
}
