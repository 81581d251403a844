package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.budget.BudgetSearch;
import dev.mlpack.optimizer.prune.PruneReport;
import dev.mlpack.optimizer.prune.PruneScope;
import dev.mlpack.optimizer.prune.PruneSettings;
import dev.mlpack.optimizer.prune.SizeBudget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The pruning and budget options of {@code optimize}, their checks, and their part of the output and JSON. */
final class PruneOptions {
    @Option(names = "--prune", paramLabel = "FRACTION",
            description = "Zero this fraction (0 to 0.99) of the smallest-magnitude weights of each convolution and dense"
                    + " kernel before quantization. The first convolution, the classifier and depthwise kernels stay dense.")
    Double prune;

    @Option(names = "--prune-scope", paramLabel = "SCOPE", defaultValue = "layer",
            description = "layer (each kernel loses FRACTION of its weights; default) or global (one magnitude threshold"
                    + " over all pruned kernels).")
    String scope;

    @Option(names = "--prune-skip", paramLabel = "PATTERN", split = ",",
            description = "Keep layers whose Keras name matches PATTERN dense (* and ? wildcards; repeat or separate with commas).")
    List<String> skip = new ArrayList<>();

    @Option(names = "--prune-include", paramLabel = "PATTERN", split = ",",
            description = "Prune layers whose Keras name matches PATTERN even though they are kept dense by default (first"
                    + " convolution, classifier, depthwise); e.g. a large classifier that holds most of the weights.")
    List<String> include = new ArrayList<>();

    @Option(names = "--sparse-encoding",
            description = "Store pruned kernels in TFLite's sparse tensor format (with DENSIFY ops), so the file itself shrinks.")
    boolean sparseEncoding;

    @Option(names = "--prune-block", paramLabel = "N",
            description = "Prune runs of N weights along the input channels together (default 1). With --sparse-encoding"
                    + " and int8 weights, an unstructured zero saves a byte and its index costs one, so the file shrinks"
                    + " only past about 50%%; runs of 4 need one index per run, at a cost in accuracy.")
    Integer block;

    @Option(names = "--max-size", paramLabel = "SIZE",
            description = "Size budget, e.g. 800KB, 1.5MB or 1500000 (bytes): mlpack searches the sparsity (and, if it must,"
                    + " the quantization) for the least-pruned model whose gzip -9 size (or file size, --budget-on file) fits.")
    String maxSize;

    @Option(names = "--budget-on", paramLabel = "WHAT", defaultValue = "gzip",
            description = "What --max-size limits: gzip (the gzip -9 size, what a Heroku slug costs; default) or file.")
    String budgetOn;

    @Option(names = "--max-accuracy-drop", paramLabel = "POINTS",
            description = "Accuracy budget, with --eval-data: the smallest model whose top-1 on DATA is at most POINTS"
                    + " percentage points below the SavedModel's, searching per-layer sparsity and (int8) keeping the most"
                    + " sensitive layers in float. Prints the search path.")
    Double maxAccuracyDrop;

    /** The checked settings: pruning, and the budget targets (null without a budget). */
    record Parsed(PruneSettings settings, boolean sparseEncoding, BudgetSearch.Targets targets) {}

    Parsed parse(CommandSpec spec, Quantize quantize, Path evalData, int evalLimit, boolean given_budgetOn) {
        try {
            double fraction = prune == null ? 0 : prune;
            if (prune != null && !(prune >= 0 && prune <= PruneSettings.MAX_FRACTION)) {
                throw Args.usage(spec, "--prune must be a fraction between 0 and " + PruneSettings.MAX_FRACTION + ", got " + BudgetSearch.plain(prune));
            }
            if (block != null && (block < 1 || block > 64)) throw Args.usage(spec, "--prune-block must be between 1 and 64, got " + block);
            int run = block != null ? block : 1;
            PruneSettings settings = new PruneSettings(fraction, PruneScope.parse(scope), skip, include, Map.of(), run);
            SizeBudget size = null;
            if (maxSize != null) size = new SizeBudget(SizeBudget.parseSize(maxSize), SizeBudget.parseOnFile(budgetOn));
            else if (given_budgetOn) throw Args.usage(spec, "--budget-on applies to --max-size only; add --max-size SIZE");
            else SizeBudget.parseOnFile(budgetOn);
            if (maxAccuracyDrop != null && evalData == null) {
                throw Args.usage(spec, "--max-accuracy-drop needs --eval-data DATA: labelled images (class subfolders, or a CSV)"
                        + " to measure top-1 on");
            }
            BudgetSearch.Targets targets = size == null && maxAccuracyDrop == null ? null
                    : new BudgetSearch.Targets(size, maxAccuracyDrop, evalData, evalLimit);
            if (sparseEncoding && (quantize == Quantize.FLOAT16 || quantize == Quantize.DYNAMIC)) {
                throw Args.usage(spec, "--sparse-encoding applies to --quantize none and int8 only (float16 weights go through"
                        + " DEQUANTIZE, and TFLite's XNNPACK cannot prepare dynamic-range kernels behind DENSIFY)");
            }
            return new Parsed(settings, sparseEncoding, targets);
        } catch (ConversionException e) {
            throw Args.usage(spec, e.getMessage());
        }
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    /** Sizes and sparsity under the summary's first line; the per-layer table when anything was pruned. */
    static List<String> summaryLines(ConversionResult r, boolean pruned) {
        List<String> lines = new ArrayList<>();
        lines.add("  gzip  " + Format.bytes(r.compressedBytes()) + " (gzip -9 of the file)");
        PruneReport p = r.pruning();
        if (!pruned || p.layers().isEmpty()) return lines;
        lines.add(String.format(Locale.ROOT, "  prune  %.1f%% zeros in the pruned kernels, %.1f%% of all kernel weights:",
                100 * p.prunedSparsity(), 100 * p.sparsity()));
        int width = p.layers().stream().mapToInt(l -> l.name().length()).max().orElse(5);
        for (PruneReport.Layer l : p.layers()) {
            lines.add(String.format(Locale.ROOT, "    %s  %-17s %9s weights  %5.1f%% zero%s", Format.pad(l.name(), width), l.op(),
                    Format.count(l.weights()), 100 * l.sparsity(), l.pruned() ? "" : "  (kept dense: " + l.keptDense() + ")"));
        }
        return lines;
    }

    /** The search path, as a table: setting, size, top-1. */
    static void printPath(PrintWriter out, BudgetSearch.Outcome o, BudgetSearch.Targets t) {
        out.println("search path (" + o.path().size() + " trials" + (o.referenceTop1() == null ? ""
                : String.format(Locale.ROOT, "; SavedModel top-1 %.2f%%", 100 * o.referenceTop1())) + "):");
        int width = o.path().stream().mapToInt(x -> x.setting().length()).max().orElse(7);
        out.println("  " + Format.pad("setting", width) + "  " + Format.padLeft("bytes", 10) + "  " + Format.padLeft("gzip -9", 10)
                + "  " + Format.padLeft("top-1", 7) + "  meets");
        for (BudgetSearch.Trial x : o.path()) {
            out.println("  " + Format.pad(x.setting(), width) + "  " + Format.padLeft(Long.toString(x.bytes()), 10) + "  "
                    + Format.padLeft(Long.toString(x.compressedBytes()), 10) + "  "
                    + Format.padLeft(x.top1() == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * x.top1()), 7) + "  "
                    + (x.meets() ? "yes" : "no"));
        }
        out.flush();
    }

    /** One line per finished trial on stderr, when it is a terminal (like the progress bars): the search's progress. */
    static BudgetSearch.Listener progressLines(PrintWriter err) {
        if (!CliProgress.stderrIsTerminal()) return (t, n, max) -> { };
        return (t, n, max) -> {
            err.println(String.format(Locale.ROOT, "trial %d (at most %d): %s -> %s, gzip %s%s%s", n, max, t.setting(),
                    Format.bytes(t.bytes()), Format.bytes(t.compressedBytes()),
                    t.top1() == null ? "" : String.format(Locale.ROOT, ", top-1 %.2f%% (drop %.2f)", 100 * t.top1(), t.drop()),
                    t.meets() ? "  meets" : ""));
            err.flush();
        };
    }

    /** The JSON fields this issue adds. */
    static void addJson(Map<String, Object> m, ConversionResult r, BudgetSearch.Targets targets, BudgetSearch.Outcome outcome) {
        PruneReport p = r == null ? PruneReport.EMPTY : r.pruning();
        m.put("compressed_bytes", r == null ? null : r.compressedBytes());
        m.put("sparsity", round(p.sparsity()));
        m.put("pruned_sparsity", round(p.prunedSparsity()));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (PruneReport.Layer l : p.layers()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", l.name());
            e.put("op", l.op());
            e.put("weights", l.weights());
            e.put("zeros", l.zeros());
            e.put("sparsity", round(l.sparsity()));
            e.put("kept_dense", l.keptDense());
            layers.add(e);
        }
        m.put("per_layer_sparsity", layers);
        Map<String, Object> budget = null;
        List<Map<String, Object>> search = new ArrayList<>();
        if (targets != null) {
            budget = new LinkedHashMap<>();
            budget.put("max_size", targets.size() == null ? null : targets.size().maxBytes());
            budget.put("budget_on", targets.size() == null ? null : targets.size().onFile() ? "file" : "gzip");
            budget.put("max_accuracy_drop", targets.maxAccuracyDrop());
            budget.put("met", outcome != null && outcome.met());
            if (outcome != null) {
                for (BudgetSearch.Trial t : outcome.path()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("setting", t.setting());
                    e.put("bytes", t.bytes());
                    e.put("compressed_bytes", t.compressedBytes());
                    e.put("top1", t.top1() == null ? null : round(t.top1()));
                    e.put("sparsity", round(t.sparsity()));
                    e.put("meets", t.meets());
                    search.add(e);
                }
            }
        }
        m.put("budget", budget);
        m.put("search", search);
    }

    private static double round(double d) { return Math.round(d * 1e6) / 1e6; }
}
