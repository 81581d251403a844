package dev.mlpack.optimizer.tf;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the importer changed so that the converted model computes what Keras' {@code model.predict} computes,
 * where the SavedModel's serving function was traced in training mode. Layer names are sorted.
 *
 * @param movingStatistics BatchNormalization layers that normalised with each batch's own mean and variance and now
 *     use their moving statistics
 * @param keptBatchStatistics such layers left as they were, because {@code --keep-training-graph} asked for it
 * @param droppedLayers random layers (augmentation, noise) removed: identities at inference
 */
public record ImportRepairs(List<String> movingStatistics, List<String> keptBatchStatistics, List<String> droppedLayers) {
    public static final ImportRepairs NONE = new ImportRepairs(List.of(), List.of(), List.of());

    public ImportRepairs {
        movingStatistics = List.copyOf(movingStatistics);
        keptBatchStatistics = List.copyOf(keptBatchStatistics);
        droppedLayers = List.copyOf(droppedLayers);
    }

    /** Whether the SavedModel's serving function runs BatchNormalization in training mode. */
    public boolean trainingModeExport() { return !movingStatistics.isEmpty() || !keptBatchStatistics.isEmpty(); }

    /** Collects repairs while a graph is imported. */
    public static final class Recorder {
        private final Set<String> moving = new TreeSet<>();
        private final Set<String> kept = new TreeSet<>();
        private final Set<String> dropped = new TreeSet<>();

        Recorder() {}

        public void usedMovingStatistics(String layer) { moving.add(layer); }

        void keptBatchStatistics(String layer) { kept.add(layer); }

        void dropped(String layer) { dropped.add(layer); }

        ImportRepairs done() { return new ImportRepairs(List.copyOf(moving), List.copyOf(kept), List.copyOf(dropped)); }
    }
}
