package dev.mlpack.optimizer.budget;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.eval.EvaluationReport;
import dev.mlpack.optimizer.eval.EvaluationRequest;
import dev.mlpack.optimizer.eval.Evaluator;
import dev.mlpack.optimizer.eval.ReferenceMemo;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.GraphCopy;
import dev.mlpack.optimizer.prune.MagnitudePruner;
import dev.mlpack.optimizer.prune.PruneSettings;
import dev.mlpack.optimizer.prune.SizeBudget;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Searches pruning (and, where it must, the quantization mode) for a model that meets the user's targets: a size
 * budget ({@code --max-size}), an accuracy budget ({@code --max-accuracy-drop} on {@code --eval-data}), or both.
 *
 * <ul>
 *   <li><b>Size only</b>: the least-pruned model under the budget. For each mode from the requested one towards
 *   smaller ones (float32 → float16 → int8, or dynamic when there is no calibration data): try the requested
 *   sparsity; if it does not fit, try the most; if that fits, bisect the sparsity to 0.01.</li>
 *   <li><b>Accuracy</b>: the smallest model whose top-1 drop against the SavedModel on the data is within the
 *   target. First the quantization: the requested mode; for int8, then the same with the layers whose weights int8
 *   disturbs most kept in float (the worst one, then the worst three; see {@link Int8Quantizer#weightNoise}); then
 *   float16 and float32, until the unpruned model meets the drop. Then one sparsity for every prunable layer, by
 *   bisection; then each of the largest layers alone is pushed further and kept there when the model still meets
 *   the drop.</li>
 * </ul>
 *
 * The number of trials is bounded before the search starts ({@link #maxTrials}), so its time is predictable:
 * about that many conversions (and evaluations). The SavedModel is imported once; each trial converts a copy.
 */
public final class BudgetSearch {
    /** Bisection steps on the sparsity: 7 halve [0, 0.99] to under 0.01. */
    static final int SIZE_BISECTION_STEPS = 7;
    /** Accuracy bisection steps: 5 halve [0, 0.99] to 0.03, each step costing an evaluation. */
    static final int ACCURACY_BISECTION_STEPS = 5;
    /** How many of the largest layers the accuracy search pushes past the common sparsity, one trial each. */
    static final int REFINED_LAYERS = 3;
    /** How many of the layers most sensitive to int8 each fallback step keeps in float, one trial each. */
    static final List<Integer> FALLBACK_LAYERS = List.of(1, 3);

    /** A quantization mode, and the layers (globs) kept in float inside an int8 model. */
    record Precision(Quantize quantize, List<String> floatLayers) {
        Precision {
            floatLayers = List.copyOf(floatLayers);
        }
    }

    /** What the user asked for; at least one of the two budgets. */
    public record Targets(SizeBudget size, Double maxAccuracyDrop, Path evalData, int evalLimit) {
        public Targets {
            if (size == null && maxAccuracyDrop == null) throw new IllegalArgumentException("no budget");
            if (maxAccuracyDrop != null) {
                if (!(maxAccuracyDrop >= 0 && maxAccuracyDrop <= 100)) {
                    throw ConversionException.badInput("--max-accuracy-drop must be between 0 and 100 points, got " + maxAccuracyDrop);
                }
                if (evalData == null) {
                    throw ConversionException.badInput("--max-accuracy-drop needs --eval-data DATA: labelled images to measure top-1 on");
                }
            }
        }
    }

    /** One model the search built: its setting, sizes, top-1 (null without an accuracy budget) and verdict. */
    public record Trial(String setting, Quantize quantize, double sparsity, long bytes, long compressedBytes, Double top1,
                        Double drop, boolean meets) {}

    /**
     * The chosen model ({@code result} is null when none met the targets and nothing was written), its evaluation
     * (accuracy budget only), every trial in order, and the reference top-1.
     */
    public record Outcome(ConversionResult result, EvaluationReport evaluation, List<Trial> path, boolean met,
                          Double referenceTop1, String failure) {
        public Outcome {
            path = List.copyOf(path);
        }
    }

    /** Told of every trial as it finishes, for progress output. */
    @FunctionalInterface
    public interface Listener {
        void finished(Trial trial, int number, int maxTrials);
    }

    private final ConversionRequest request;
    private final Targets targets;
    private final Listener listener;
    private final SavedModelImporter.Imported imported;
    private final List<Trial> path = new ArrayList<>();
    private final Map<Trial, Built> built = new IdentityHashMap<>(); // trials may repeat a setting
    private final ReferenceMemo referenceMemo = new ReferenceMemo(); // the SavedModel runs once, not once per trial
    private CalibrationSet calibration;
    private Double referenceTop1;
    private int maxTrials;

    private record Built(Path file, ConversionResult result, EvaluationReport evaluation) {}

    private BudgetSearch(ConversionRequest request, Targets targets, Listener listener, SavedModelImporter.Imported imported) {
        this.request = request;
        this.targets = targets;
        this.listener = listener;
        this.imported = imported;
    }

    public static Outcome run(ConversionRequest request, Targets targets, Progress progress, Listener listener) {
        Objects.requireNonNull(targets, "targets");
        SavedModelImporter.Imported imported = Converter.importGraph(request.model(), request.signature(), request.keepTrainingGraph());
        BudgetSearch s = new BudgetSearch(request.withPreprocessingFor(imported.graph()), targets, listener, imported);
        try {
            return s.search(progress);
        } finally {
            s.deleteTrialFiles();
        }
    }

    /** The most trials a search with these targets makes. */
    public static int maxTrials(Quantize requested, boolean canCalibrate, Targets targets) {
        if (targets.maxAccuracyDrop() != null) {
            int fallbacks = requested == Quantize.INT8 ? FALLBACK_LAYERS.size() : 0;
            return precisionLadder(requested, List.of(), List.of()).size() + fallbacks + ACCURACY_BISECTION_STEPS + REFINED_LAYERS;
        }
        return sizeLadder(requested, canCalibrate).size() * (2 + SIZE_BISECTION_STEPS);
    }

    private Outcome search(Progress progress) {
        boolean canCalibrate = request.calibration() != null || request.calibrationSet() != null;
        maxTrials = maxTrials(request.quantize(), canCalibrate, targets);
        try (Task task = progress.start("Searching", maxTrials, "trial")) {
            Trial chosen = targets.maxAccuracyDrop() != null ? accuracySearch(task) : sizeSearch(task, canCalibrate);
            if (chosen == null) return new Outcome(null, null, path, false, referenceTop1, failure());
            return new Outcome(publish(chosen), built.get(chosen).evaluation(), path, true, referenceTop1, null);
        }
    }

    // ---- size -----------------------------------------------------------------------------------------------------

    /** Modes from the requested one towards smaller files; int8 needs calibration data, else dynamic stands in. */
    static List<Quantize> sizeLadder(Quantize requested, boolean canCalibrate) {
        Quantize smallest = canCalibrate ? Quantize.INT8 : Quantize.DYNAMIC;
        return switch (requested) {
            case NONE -> List.of(Quantize.NONE, Quantize.FLOAT16, smallest);
            case FLOAT16 -> List.of(Quantize.FLOAT16, smallest);
            case INT8, DYNAMIC -> List.of(requested);
        };
    }

    private Trial sizeSearch(Task task, boolean canCalibrate) {
        double base = request.prune().fraction();
        for (Quantize mode : sizeLadder(request.quantize(), canCalibrate)) {
            Precision q = new Precision(mode, mode == Quantize.INT8 ? request.floatLayers() : List.of());
            Trial first = trial(task, q, request.prune());
            if (first.meets()) return first;
            if (base >= PruneSettings.MAX_FRACTION) continue;
            Trial fits = trial(task, q, request.prune().withFraction(PruneSettings.MAX_FRACTION));
            if (!fits.meets()) continue;
            double lo = base, hi = PruneSettings.MAX_FRACTION;
            for (int step = 0; step < SIZE_BISECTION_STEPS && hi - lo > 0.0101; step++) {
                double mid = Math.round((lo + hi) / 2 * 100) / 100.0;
                if (mid <= lo || mid >= hi) break;
                Trial t = trial(task, q, request.prune().withFraction(mid));
                if (t.meets()) {
                    hi = mid;
                    fits = t;
                } else {
                    lo = mid;
                }
            }
            return fits;
        }
        return null;
    }

    // ---- accuracy -------------------------------------------------------------------------------------------------

    /**
     * What the accuracy search falls back to: the requested mode (with the user's float layers); for int8, the same
     * with more and more of the {@code sensitive} layers (most sensitive first) in float; then more precise modes.
     */
    static List<Precision> precisionLadder(Quantize requested, List<String> userFloatLayers, List<String> sensitive) {
        List<Precision> ladder = new ArrayList<>();
        ladder.add(new Precision(requested, requested == Quantize.INT8 ? userFloatLayers : List.of()));
        if (requested == Quantize.INT8) {
            for (int k : FALLBACK_LAYERS) {
                if (sensitive.size() < k) break;
                Set<String> layers = new LinkedHashSet<>(userFloatLayers);
                layers.addAll(sensitive.subList(0, k));
                ladder.add(new Precision(Quantize.INT8, List.copyOf(layers)));
            }
        }
        switch (requested) {
            case INT8, DYNAMIC -> {
                ladder.add(new Precision(Quantize.FLOAT16, List.of()));
                ladder.add(new Precision(Quantize.NONE, List.of()));
            }
            case FLOAT16 -> ladder.add(new Precision(Quantize.NONE, List.of()));
            case NONE -> { }
        }
        return ladder;
    }

    /** Layer names, the one whose weights int8 disturbs most first (on the folded kernels the writer will see). */
    private List<String> int8SensitiveLayers() {
        Graph folded = GraphCopy.of(imported.graph());
        Pipeline.optimize(folded);
        return Int8Quantizer.weightNoise(folded).stream().map(Int8Quantizer.LayerNoise::layer).toList();
    }

    private Trial accuracySearch(Task task) {
        PruneSettings base = request.prune();
        Precision mode = null;
        Trial best = null;
        Precision requested = precisionLadder(request.quantize(), request.floatLayers(), List.of()).getFirst();
        Trial first = trial(task, requested, base);
        // Ranking the layers folds a copy of the graph: only worth it when int8 alone misses the drop.
        boolean rank = request.quantize() == Quantize.INT8 && !meetsAccuracy(first);
        List<Precision> ladder = precisionLadder(request.quantize(), request.floatLayers(), rank ? int8SensitiveLayers() : List.of());
        for (Precision q : ladder) {
            Trial t = q.equals(ladder.getFirst()) ? first : trial(task, q, base);
            if (meetsAccuracy(t)) {
                mode = q;
                best = t;
                break;
            }
        }
        if (mode == null) return null;
        // one sparsity for every prunable layer
        double lo = base.fraction(), hi = PruneSettings.MAX_FRACTION;
        for (int step = 0; step < ACCURACY_BISECTION_STEPS && hi - lo > 0.0101; step++) {
            double mid = Math.round((lo + hi) / 2 * 100) / 100.0;
            Trial t = trial(task, mode, base.withFraction(mid));
            if (meetsAccuracy(t) && smaller(t, best)) {
                best = t;
                lo = mid;
            } else if (meetsAccuracy(t)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // the largest layers alone, further
        double common = lo;
        Map<String, Double> perLayer = new LinkedHashMap<>();
        List<MagnitudePruner.Kernel> largest = MagnitudePruner.kernels(GraphCopy.of(imported.graph()), base).stream()
                .filter(k -> k.keptDense() == null)
                .sorted(Comparator.comparingLong((MagnitudePruner.Kernel k) -> k.weights().shape().elementCount()).reversed())
                .limit(REFINED_LAYERS).toList();
        for (MagnitudePruner.Kernel k : largest) {
            double further = Math.round((common + (PruneSettings.MAX_FRACTION - common) / 2) * 100) / 100.0;
            Map<String, Double> attempt = new LinkedHashMap<>(perLayer);
            attempt.put(k.name(), further);
            Trial t = trial(task, mode, base.withFraction(common).withPerLayer(attempt));
            if (meetsAccuracy(t) && smaller(t, best)) {
                best = t;
                perLayer = attempt;
            }
        }
        return meetsSize(best) ? best : null;
    }

    private boolean meetsAccuracy(Trial t) { return t.drop() != null && t.drop() <= targets.maxAccuracyDrop() + 1e-9; }

    private boolean meetsSize(Trial t) { return targets.size() == null || targets.size().fits(t.bytes(), t.compressedBytes()); }

    /** Smaller by the measure the user budgets (gzip -9 by default). */
    private boolean smaller(Trial a, Trial b) {
        SizeBudget measure = targets.size() != null ? targets.size() : new SizeBudget(1, false);
        return measure.measure(a.bytes(), a.compressedBytes()) < measure.measure(b.bytes(), b.compressedBytes());
    }

    // ---- trials ---------------------------------------------------------------------------------------------------

    private Trial trial(Task task, Precision q, PruneSettings prune) {
        Path file = tempFile();
        ConversionRequest.Builder b = request.toBuilder().quantize(q.quantize()).floatLayers(q.floatLayers()).prune(prune)
                .progress(Progress.none());
        if (q.quantize() == Quantize.INT8) b.calibrationSet(calibration());
        ConversionResult r = Converter.convert(b.build().withOutput(file), imported.withGraph(GraphCopy.of(imported.graph())));
        EvaluationReport e = null;
        Double top1 = null, drop = null;
        if (targets.maxAccuracyDrop() != null) {
            e = Evaluator.evaluate(EvaluationRequest.builder(request.model(), file, targets.evalData())
                    .preprocess(request.preprocess()).resize(request.resize()).labels(request.labels())
                    .limit(targets.evalLimit()).signature(request.signature()).progress(Progress.none())
                    .referenceMemo(referenceMemo).build());
            referenceTop1 = e.reference().top1();
            top1 = e.candidate().top1();
            drop = 100 * (e.reference().top1() - e.candidate().top1());
        }
        boolean meets = (targets.size() == null || targets.size().fits(r.bytes(), r.compressedBytes()))
                && (targets.maxAccuracyDrop() == null || drop <= targets.maxAccuracyDrop() + 1e-9);
        Trial t = new Trial(setting(q, prune), q.quantize(), r.pruning().sparsity(), r.bytes(), r.compressedBytes(), top1, drop, meets);
        path.add(t);
        built.put(t, new Built(file, r, e));
        task.step(1);
        listener.finished(t, path.size(), maxTrials);
        return t;
    }

    private CalibrationSet calibration() {
        if (calibration == null) calibration = Converter.calibrationSet(request, GraphCopy.of(imported.graph()));
        return calibration;
    }

    /** {@code int8, prune 0.50 (layer)}, with the float layers after the mode and per-layer overrides at the end. */
    static String setting(Precision q, PruneSettings p) {
        StringBuilder s = new StringBuilder(q.quantize().cliName());
        if (!q.floatLayers().isEmpty()) s.append(" (float ").append(String.join(", ", q.floatLayers())).append(')');
        if (p.isNone()) return s.append(", dense").toString();
        s.append(String.format(Locale.ROOT, ", prune %.2f (%s)", p.fraction(), p.scope().cliName()));
        p.perLayer().forEach((layer, f) -> s.append(String.format(Locale.ROOT, ", %s %.2f", layer, f)));
        return s.toString();
    }

    private Path tempFile() {
        Path dir = request.output().toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "." + request.output().getFileName(), ".trial.tflite");
        } catch (IOException e) {
            throw new ConversionException(ConversionException.Kind.BAD_INPUT, "cannot write in " + dir + ": " + e.getMessage());
        }
    }

    /** Moves the chosen trial's file to the requested output, whole (rename) or not at all. */
    private ConversionResult publish(Trial chosen) {
        Built b = built.get(chosen);
        try {
            Files.move(b.file(), request.output(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.setPosixFilePermissions(request.output(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems keep their default permissions
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.result().movedTo(request.output());
    }

    private void deleteTrialFiles() {
        for (Built b : built.values()) {
            try {
                Files.deleteIfExists(b.file());
            } catch (IOException ignored) {
                // a leftover hidden temp file is harmless
            }
        }
    }

    /** Why nothing met the targets: the smallest size reached and what it cost. */
    private String failure() {
        if (path.isEmpty()) return "no setting was tried";
        if (targets.maxAccuracyDrop() != null) {
            Trial closest = path.stream().min(Comparator.comparingDouble(t -> t.drop() == null ? Double.MAX_VALUE : t.drop())).orElseThrow();
            if (!meetsAccuracy(closest)) {
                return String.format(Locale.ROOT, "no setting meets --max-accuracy-drop %s: the smallest top-1 drop reached is %.2f points"
                        + " (%s); raise --max-accuracy-drop", plain(targets.maxAccuracyDrop()), closest.drop(), closest.setting());
            }
            Trial smallest = path.stream().filter(this::meetsAccuracy)
                    .min(Comparator.comparingLong(t -> targets.size().measure(t.bytes(), t.compressedBytes()))).orElseThrow();
            return String.format(Locale.ROOT, "no setting meets both budgets: the smallest model within --max-accuracy-drop %s is %d bytes"
                            + " (%s) against --max-size %d bytes (%s); raise one of them", plain(targets.maxAccuracyDrop()),
                    targets.size().measure(smallest.bytes(), smallest.compressedBytes()), smallest.setting(), targets.size().maxBytes(),
                    targets.size().what());
        }
        SizeBudget size = targets.size();
        Trial smallest = path.stream().min(Comparator.comparingLong(t -> size.measure(t.bytes(), t.compressedBytes()))).orElseThrow();
        return String.format(Locale.ROOT, "no setting fits --max-size %d bytes (%s): the smallest reached is %d bytes, with %s,"
                        + " which zeroes %.1f%% of the kernel weights; raise --max-size", size.maxBytes(), size.what(),
                size.measure(smallest.bytes(), smallest.compressedBytes()), smallest.setting(), 100 * smallest.sparsity());
    }

    /** A number as a user types it in an option: 2 rather than 2.0, 0.5 as is. */
    public static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
