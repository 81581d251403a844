package dev.mlpack.cli;

import dev.mlpack.optimizer.ClassifierHead;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.Dataset;
import dev.mlpack.optimizer.eval.EvaluationReport;
import dev.mlpack.optimizer.eval.EvaluationRequest;
import dev.mlpack.optimizer.eval.Evaluator;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.budget.BudgetSearch;
import dev.mlpack.optimizer.quant.CalibrationMethod;
import dev.mlpack.optimizer.quant.Int8Conversion;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mlpack optimize MODEL -o OUT.tflite}: SavedModel to .tflite, float32, float16, int8 or dynamic-range. */
@Command(name = "optimize",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        defaultValueProvider = OptimizeCommand.LibraryDefaults.class,
        description = {"Converts a SavedModel folder to a TensorFlow Lite model (.tflite).",
                "--quantize float16 halves the weights. --quantize int8 calibrates on images (--calibration) and makes a"
                        + " model that takes raw uint8 pixels and returns float scores, with the preprocessing inside."},
        footerHeading = "%nExamples:%n",
        footer = {"  mlpack optimize samples/model -o out/sample.tflite --json out/sample.json",
                "  mlpack optimize samples/model -o out/sample-int8.tflite --quantize int8 \\",
                "      --calibration samples/images --preprocess tf --resize bilinear \\",
                "      --labels samples/labels.txt --json out/sample-int8.json"})
final class OptimizeCommand implements Callable<Integer> {
    /** What {@link ConversionRequest.Builder} uses when an option is not given: the one source of those defaults. */
    static final ConversionRequest DEFAULTS = ConversionRequest.builder(Path.of("model"), Path.of("model.tflite")).build();

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "SavedModel folder (the one model.export() or model.save() wrote).")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.tflite",
            description = "Output file. Default: <model folder name>.tflite in the current folder.")
    Path output;

    @Option(names = "--quantize", paramLabel = "MODE", defaultValue = "none",
            description = "none (float32, default), float16 (float16 weights), int8 (int8 weights and activations,"
                    + " calibrated on --calibration) or dynamic (int8 weights, float activations, no calibration).")
    String quantize;

    @Option(names = "--calibration", paramLabel = "DATA",
            description = "Images to calibrate int8 on (required for --quantize int8): a folder of images, class"
                    + " subfolders of images, or a CSV of path,label rows. Use images like the ones the model will see.")
    Path calibration;

    @Option(names = "--calibration-samples", paramLabel = "N",
            description = "How many calibration images to use (spread over the classes). Default: ${DEFAULT-VALUE}.")
    int calibrationSamples;

    @Option(names = "--calibration-method", paramLabel = "METHOD",
            description = "How int8 activation ranges are chosen: minmax, percentile, mse, or auto (quantizes with minmax and with mse,"
                    + " runs both on calibration images and keeps mse only if its mean KL divergence from the float model is"
                    + " lower by over " + (int) (Int8Conversion.AUTO_MARGIN * 100) + "%%). Default: ${DEFAULT-VALUE}.")
    String calibrationMethod;

    @Option(names = "--preprocess", paramLabel = "MODE",
            description = "Pixel normalisation the SavedModel expects: tf (x/127.5-1), caffe (BGR minus ImageNet means),"
                    + " torch (ImageNet mean/std) or raw (0..255). Default: what the graph shows (raw when the model"
                    + " rescales its input itself, with a Rescaling or Normalization layer; a keras.applications family's"
                    + " own preprocess_input); when the graph does not show it, mlpack asks for it (exit 2). Used for"
                    + " calibration and recorded in the metadata; with int8 and --io uint8 it runs inside the model.")
    String preprocess;

    @Option(names = "--keep-training-graph",
            description = "Convert the serving function as traced even where it runs BatchNormalization in training mode"
                    + " (normalising each image by its own statistics, as Keras 3's model.export() writes for models that"
                    + " start with preprocessing layers). By default mlpack uses the layers' moving statistics, as"
                    + " model.predict does.")
    boolean keepTrainingGraph;

    @Option(names = "--resize", paramLabel = "METHOD",
            description = "How images are brought to the input size: bilinear, nearest or crop (resize, centre crop). Default: ${DEFAULT-VALUE}.")
    String resize;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one per line, line i naming output i; stored in the model's metadata.")
    Path labels;

    @Option(names = "--io", paramLabel = "TYPE",
            description = "Type of the model's inputs and outputs. With int8: uint8 (raw pixels in, float scores out;"
                    + " default), int8 (int8 in and out) or float32 (preprocessed floats in, float scores out)."
                    + " Other modes: float32 only.")
    String io;

    @Option(names = "--require-int8",
            description = "With int8: fail (exit 2) instead of leaving ops without an int8 kernel in float.")
    boolean requireInt8;

    @Option(names = "--float-layers", paramLabel = "PATTERN", split = ",",
            description = "With int8: keep the layers whose Keras name matches PATTERN (* and ? globs; comma-separated) in"
                    + " float, between DEQUANTIZE and QUANTIZE, for layers that int8 hurts. --max-accuracy-drop tries the"
                    + " most sensitive layers by itself.")
    List<String> floatLayers = new ArrayList<>();

    @Option(names = "--signature", paramLabel = "NAME",
            description = "SavedModel signature to convert. Default: ${DEFAULT-VALUE}.")
    String signature;

    @Option(names = "--classifier-output", paramLabel = "NAME",
            description = "The signature output that holds the class scores, for models with several outputs. Default: the"
                    + " only output, else the one with as many classes as --labels, else the only softmax output. All outputs"
                    + " are kept; a single sigmoid unit scores two classes [1-p, p], logits get a softmax when scored.")
    String classifierOutput;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the result as JSON: output, bytes, quantize, seconds, ops, calibration, float_ops, classifier_output"
                    + " (and evaluation, with --eval-data).")
    Path json;

    @Option(names = "--eval-data", paramLabel = "DATA",
            description = "After converting, evaluate the written .tflite against the SavedModel on these labelled images"
                    + " (class subfolders of images, or a CSV of path,label rows), as mlpack evaluate does with the same"
                    + " --preprocess, --resize and --labels; the figures go under \"evaluation\" in --json.")
    Path evalData;

    @picocli.CommandLine.Mixin
    PruneOptions pruning = new PruneOptions();

    @Option(names = "--eval-limit", paramLabel = "N", defaultValue = "0", hidden = true,
            description = "Evaluate at most N images of --eval-data, spread over the classes. Default: all.")
    int evalLimit;

    /** The parsed options, checked before any work starts. */
    record Options(Quantize quantize, CalibrationMethod method, Preprocess preprocess, Resize resize, Int8Quantizer.Io io) {}

    @Override
    public Integer call() {
        Options o = parseOptions();
        Path out = output != null ? output : defaultOutput(model);
        Args.requireModelFolder(model, "optimize");
        Args.requireWritableFile(spec, out, "-o");
        if (json != null) Args.requireWritableFile(spec, json, "--json");
        if (labels != null) Dataset.readLabels(labels);
        if (o.quantize() == Quantize.INT8) {
            // The same checks as the calibration itself, made before the model is read: an empty or missing folder
            // costs nothing. (Images are decoded, and checked, during the conversion.)
            Dataset.open(calibration, null, "--calibration", null);
        }
        if (evalData != null) Dataset.open(evalData, null, "--eval-data", null); // fail before converting, not after
        PruneOptions.Parsed p = pruning.parse(spec, o.quantize(), evalData, evalLimit, given("--budget-on"));

        ConversionRequest request = ConversionRequest.builder(model, out)
                .quantize(o.quantize()).signature(signature)
                .calibration(calibration).calibrationSamples(calibrationSamples).calibrationMethod(o.method())
                .preprocess(o.preprocess()).resize(o.resize()).labels(labels)
                .io(o.io()).requireInt8(requireInt8).floatLayers(floatLayers).keepTrainingGraph(keepTrainingGraph)
                .classifierOutput(classifierOutput)
                .prune(p.settings()).sparseEncoding(p.sparseEncoding())
                .progress(CliProgress.forStderr())
                .build();
        BudgetSearch.Outcome search = null;
        ConversionResult result;
        if (p.targets() != null) {
            search = BudgetSearch.run(request, p.targets(), CliProgress.forStderr(), PruneOptions.progressLines(spec.commandLine().getErr()));
            PruneOptions.printPath(spec.commandLine().getOut(), search, p.targets());
            if (!search.met()) {
                if (json != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("output", null);
                    PruneOptions.addJson(m, null, p.targets(), search);
                    JsonFiles.write(json, m, true);
                }
                throw ConversionException.badInput(search.failure());
            }
            result = search.result();
        } else {
            result = Converter.convert(request);
        }
        EvaluationReport evaluation = search != null && search.evaluation() != null ? search.evaluation()
                : evalData == null ? null : evaluateOrDiscard(result, o);
        if (json != null) {
            Map<String, Object> m = toJson(result); // "calibration": null for float conversions
            PruneOptions.addJson(m, result, p.targets(), search);
            if (evaluation != null) m.put("evaluation", EvaluateCommand.toJson(evaluation));
            JsonFiles.write(json, m, true);
        }
        if (result.preprocessing().warning() != null) Main.line(spec.commandLine().getErr(), "warning: " + result.preprocessing().warning());
        if (evaluation != null) for (String w : evaluation.warnings()) Main.line(spec.commandLine().getErr(), "warning: " + w);
        printSummary(spec.commandLine().getOut(), result, folderSize(model), evaluation, json,
                pruning.prune != null || p.targets() != null);
        return Main.OK;
    }

    /**
     * Evaluates the written model against the SavedModel. A command that fails leaves no output behind, so when the
     * evaluation fails the model is deleted, and the message says so.
     */
    private EvaluationReport evaluateOrDiscard(ConversionResult result, Options o) {
        Path written = result.output();
        try {
            return Evaluator.evaluate(EvaluationRequest.builder(model, written, evalData)
                    .preprocess(result.preprocessing().mode()).resize(o.resize()).labels(labels).limit(evalLimit)
                    .signature(signature).progress(CliProgress.forStderr()).build());
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(written);
            } catch (IOException cannotDelete) {
                e.addSuppressed(cannotDelete);
                throw e;
            }
            if (e instanceof ConversionException ce) {
                throw new ConversionException(ce.kind(), "the evaluation failed, so " + written + " was not kept: " + ce.getMessage(), ce);
            }
            throw e;
        }
    }

    /** Parses and cross-checks the options; every mistake is a one-line usage error (exit 2). */
    Options parseOptions() {
        Quantize q = parseQuantize(spec, quantize);
        CalibrationMethod method = parse("--calibration-method", calibrationMethod, CalibrationMethod::parse);
        Preprocess pre = preprocess == null ? null : parse("--preprocess", preprocess, Preprocess::parse);
        Resize rs = parse("--resize", resize, Resize::parse);
        Int8Quantizer.Io ioType = parseIo(q);
        if (evalLimit < 0) throw usage("--eval-limit must not be negative, got " + evalLimit);
        if (given("--eval-limit") && evalData == null) throw usage("--eval-limit applies to --eval-data only; add --eval-data DATA");
        if (q == Quantize.INT8) {
            if (calibration == null) {
                throw usage("--quantize int8 needs --calibration DATA: a folder of images like the ones the model will see"
                        + " (or class subfolders of images, or a CSV of path,label rows)");
            }
            if (calibrationSamples < 1) {
                throw usage("--calibration-samples must be at least 1, got " + calibrationSamples);
            }
        } else {
            List<String> int8Only = new ArrayList<>();
            for (String option : new String[] {"--calibration", "--calibration-samples", "--calibration-method", "--require-int8",
                    "--float-layers"}) {
                if (given(option)) int8Only.add(option);
            }
            if (!int8Only.isEmpty()) {
                throw usage(String.join(", ", int8Only) + (int8Only.size() == 1 ? " applies" : " apply")
                        + " to --quantize int8 only; add --quantize int8, or drop " + (int8Only.size() == 1 ? "it" : "them"));
            }
        }
        return new Options(q, method, pre, rs, ioType);
    }

    /** {@code --io}: uint8 by default for int8, float32 otherwise; uint8 and int8 only with int8. */
    private Int8Quantizer.Io parseIo(Quantize q) {
        if (io == null) return q == Quantize.INT8 ? Int8Quantizer.Io.UINT8 : Int8Quantizer.Io.FLOAT32;
        Int8Quantizer.Io value;
        try {
            value = Int8Quantizer.Io.valueOf(io.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usage("--io " + io + " is not one of uint8, int8, float32");
        }
        if (q != Quantize.INT8 && value != Int8Quantizer.Io.FLOAT32) {
            throw usage("--io " + io.trim().toLowerCase(Locale.ROOT) + " needs --quantize int8; --quantize " + q.cliName()
                    + " keeps float32 inputs and outputs (--io float32, or leave --io out)");
        }
        return value;
    }

    private boolean given(String option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    private <T> T parse(String option, String value, Function<String, T> parser) {
        return Args.parseOption(spec, option, value, parser);
    }

    private ParameterException usage(String message) {
        return Args.usage(spec, message);
    }

    static Quantize parseQuantize(CommandSpec spec, String value) {
        try {
            return Quantize.parse(value.trim().toLowerCase(Locale.ROOT));
        } catch (ConversionException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code <model folder name>.tflite} in the current folder. */
    static Path defaultOutput(Path model) {
        Path abs = model.toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? "model" : abs.getFileName().toString();
        return Path.of(name + ".tflite");
    }

    /** The bytes of the regular files under {@code dir}; 0 when it cannot be read. */
    static long folderSize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The {@code --json} report. */
    static Map<String, Object> toJson(ConversionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", r.output().toString());
        m.put("bytes", r.bytes());
        m.put("quantize", r.quantize().cliName());
        m.put("seconds", Format.millisPrecision(r.seconds()));
        m.put("ops", Format.byCount(r.ops()));
        Map<String, Object> calibration = null;
        if (r.calibration() != null) {
            calibration = new LinkedHashMap<>();
            calibration.put("samples", r.calibration().samples());
            calibration.put("method", r.calibration().method());
            calibration.put("seconds", Format.millisPrecision(r.calibration().seconds()));
            if (!r.calibration().candidateMeanKl().isEmpty()) {
                calibration.put("auto_mean_kl", new LinkedHashMap<>(r.calibration().candidateMeanKl()));
            }
        }
        m.put("calibration", calibration);
        m.put("float_ops", r.floatOps());
        if (r.preprocessing().resolved()) {
            Map<String, Object> pre = new LinkedHashMap<>();
            pre.put("mode", r.preprocessing().mode().kerasName());
            pre.put("reason", r.preprocessing().reason());
            if (r.preprocessing().warning() != null) pre.put("warning", r.preprocessing().warning());
            m.put("preprocess", pre);
        }
        Map<String, Object> repairs = new LinkedHashMap<>();
        repairs.put("moving_statistics", r.repairs().movingStatistics());
        repairs.put("kept_batch_statistics", r.repairs().keptBatchStatistics());
        repairs.put("dropped_layers", r.repairs().droppedLayers());
        m.put("repairs", repairs);
        m.put("classifier_output", classifierJson(r.classifier()));
        return m;
    }

    /** {"name", "units", "classes", "activation"}; null when the result does not say (report tests). */
    static Map<String, Object> classifierJson(ClassifierOutput c) {
        if (c == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("units", c.units());
        m.put("classes", c.classes());
        m.put("activation", c.activation().metadataName());
        return m;
    }

    /** What the conversion decided about the source model: its preprocessing, and what the import repaired. */
    static List<String> sourceLines(ConversionResult r) {
        List<String> lines = new ArrayList<>();
        if (r.preprocessing().resolved()) lines.add("  preprocessing  " + r.preprocessing().describe());
        if (!r.repairs().movingStatistics().isEmpty()) {
            lines.add("  repaired  training-mode export: " + String.join(", ", r.repairs().movingStatistics())
                    + " normalised each image by its own statistics; they now use their moving statistics, as model.predict"
                    + " does (--keep-training-graph converts them as they are)");
        }
        if (!r.repairs().keptBatchStatistics().isEmpty()) {
            lines.add("  kept      batch statistics in " + String.join(", ", r.repairs().keptBatchStatistics())
                    + " (--keep-training-graph): the model normalises each image by its own statistics, unlike model.predict");
        }
        if (!r.repairs().droppedLayers().isEmpty()) {
            lines.add("  dropped   random layers " + String.join(", ", r.repairs().droppedLayers())
                    + " (augmentation and noise: identities at inference)");
        }
        return lines;
    }

    static String weights(Quantize q) {
        return switch (q) {
            case NONE -> "float32 weights";
            case FLOAT16 -> "float16 weights";
            case INT8 -> "int8 weights and activations";
            case DYNAMIC -> "int8 weights, float activations";
        };
    }

    /** What goes in and out of the written model. */
    static String ioDescription(Quantize q, Int8Quantizer.Io io) {
        if (q != Quantize.INT8) return "float32 I/O";
        return switch (io) {
            case UINT8 -> "uint8 pixels in, float32 out";
            case INT8 -> "int8 I/O";
            case FLOAT32 -> "float32 I/O";
        };
    }

    private void printSummary(PrintWriter out, ConversionResult r, long savedModelBytes, EvaluationReport evaluation,
                              Path jsonFile, boolean pruned) {
        Int8Quantizer.Io ioType = parseIo(r.quantize());
        out.println("wrote " + r.output() + " (" + Format.bytes(r.bytes()) + ", " + weights(r.quantize())
                + ", " + ioDescription(r.quantize(), ioType) + ") in " + Format.seconds(r.seconds()));
        if (savedModelBytes > 0) {
            out.println("  size  " + String.format(Locale.ROOT, "%.1f%%", 100.0 * r.bytes() / savedModelBytes)
                    + " of the float SavedModel (" + Format.bytes(savedModelBytes) + ")");
        }
        for (String line : sourceLines(r)) out.println(line);
        if (r.classifier() != null) out.println("  " + ClassifierHead.describe(r.classifier()));
        for (String line : PruneOptions.summaryLines(r, pruned)) out.println(line);
        for (String line : int8Lines(r)) out.println(line);
        out.println("  ops   " + Format.total(r.ops()) + " in total: " + Format.top(r.ops(), 6));
        if (evaluation != null) for (String line : evaluationLines(evaluation)) out.println(line);
        if (jsonFile != null) out.println("  json  " + jsonFile);
        out.flush();
    }

    /** Calibration and the ops left in float, every one of them (none for float conversions). */
    static List<String> int8Lines(ConversionResult r) {
        List<String> lines = new ArrayList<>();
        if (r.calibration() != null) {
            ConversionResult.Calibration c = r.calibration();
            String method = c.method();
            if (!c.candidateMeanKl().isEmpty()) {
                List<String> scores = new ArrayList<>();
                c.candidateMeanKl().forEach((m, kl) -> scores.add(m + " " + String.format(Locale.ROOT, "%.4g", kl)));
                method += " (auto; mean KL from the float model on calibration images: " + String.join(", ", scores) + ")";
            }
            lines.add("  calibration  " + c.samples() + (c.samples() == 1 ? " image" : " images") + ", " + method
                    + ", " + Format.seconds(c.seconds()));
        }
        if (r.quantize() == Quantize.INT8) {
            if (r.floatOps().isEmpty()) {
                lines.add("  float ops    none: every op runs in int8");
            } else {
                lines.add("  float ops    " + r.floatOps().size() + " left in float (no int8 kernel, or --float-layers;"
                        + " QUANTIZE/DEQUANTIZE around them):");
                for (String op : r.floatOps()) lines.add("    " + op);
            }
        }
        return lines;
    }

    /** The --eval-data summary: accuracy of both models, agreement and KL (mlpack evaluate prints the full table). */
    static List<String> evaluationLines(EvaluationReport e) {
        List<String> lines = new ArrayList<>();
        lines.add("  evaluation  " + e.n() + (e.n() == 1 ? " image" : " images") + " in " + e.labels().size() + " classes"
                + (e.skipped().isEmpty() ? "" : " (" + e.skipped().size() + " skipped)") + ", " + Format.seconds(e.seconds())
                + "; SavedModel -> .tflite:");
        EvaluationReport.ModelStats ref = e.reference(), cand = e.candidate();
        lines.add(String.format(Locale.ROOT, "    top-1        %.1f%% -> %.1f%% (%+.1f points)", 100 * ref.top1(), 100 * cand.top1(),
                100 * (cand.top1() - ref.top1())));
        lines.add(String.format(Locale.ROOT, "    top-%-2d       %.1f%% -> %.1f%% (%+.1f points)", e.topK(), 100 * ref.topKAccuracy(),
                100 * cand.topKAccuracy(), 100 * (cand.topKAccuracy() - ref.topKAccuracy())));
        if (Double.isFinite(ref.latencyP50Ms()) && Double.isFinite(cand.latencyP50Ms())) {
            lines.add(String.format(Locale.ROOT, "    latency p50  %.2f ms -> %.2f ms", ref.latencyP50Ms(), cand.latencyP50Ms()));
        }
        lines.add(String.format(Locale.ROOT, "    agreement    %.1f%% top-1, mean KL %.5f nats", 100 * e.agreementTop1(), e.meanKl()));
        return lines;
    }

    /** The defaults of the options that {@link ConversionRequest.Builder} also defaults, taken from it. */
    static final class LibraryDefaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) return null;
            return switch (option.longestName()) {
                case "--calibration-samples" -> Integer.toString(DEFAULTS.calibrationSamples());
                case "--calibration-method" -> DEFAULTS.calibrationMethod().cliName();
                case "--resize" -> DEFAULTS.resize().name().toLowerCase(Locale.ROOT);
                case "--signature" -> DEFAULTS.signature();
                default -> null;
            };
        }
    }
}
