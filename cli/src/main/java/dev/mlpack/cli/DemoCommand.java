package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.eval.EvaluationReport;
import dev.mlpack.optimizer.eval.EvaluationRequest;
import dev.mlpack.optimizer.eval.Evaluator;
import dev.mlpack.optimizer.eval.HtmlReport;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import dev.mlpack.optimizer.tf.SavedModelInfo;
import dev.mlpack.packager.PackageException;
import dev.mlpack.packager.PackageRequest;
import dev.mlpack.packager.PackageResult;
import dev.mlpack.packager.Packager;
import dev.mlpack.packager.SelfCheck;
import dev.mlpack.packager.ServerDist;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlpack demo}: runs the available pipeline on the bundled sample ({@code samples/model}).
 * The pipeline is a list of {@link Step}s sharing a {@link Context}; later stages (int8, evaluation,
 * packaging) are added as further steps.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Runs the pipeline on the bundled sample model (samples/model).",
                "Steps: inspect the SavedModel, convert it to float32, float16 and int8 .tflite files (int8 calibrated"
                        + " on samples/images, raw uint8 pixels in, labels in the metadata), compare their sizes, compare the"
                        + " int8 model's accuracy with the SavedModel's on the labelled sample images (table and HTML report),"
                        + " and package the int8 model for Heroku (out/app), booted and checked as its Procfile says."},
        footerHeading = "%nExample:%n",
        footer = "  mlpack demo --out out/demo")
final class DemoCommand implements Callable<Integer> {
    static final String SAMPLE = "samples/model";
    static final String SIGNATURE = "serving_default";
    static final String IMAGES = "samples/images";
    static final String LABELS = "samples/labels.txt";

    @Spec CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/demo", description = "Folder for the results. Default: ${DEFAULT-VALUE}.")
    Path outDir;

    /** Verify images for the package step's self-check. */
    @Option(names = "--verify-limit", paramLabel = "N", hidden = true, defaultValue = "50")
    int verifyLimit;

    /** Calibration images for the int8 step; fewer make the demo faster (tests). */
    @Option(names = "--calibration-samples", paramLabel = "N", hidden = true)
    Integer calibrationSamples;

    /** The repository (holding samples/); the launcher passes it as -Dmlpack.home. */
    @Option(names = "--home", paramLabel = "DIR", hidden = true)
    Path home;

    /** One stage of the demo. */
    interface Step {
        String title();

        /** Does the work and prints indented detail lines to {@code ctx.out}. */
        void run(Context ctx);
    }

    /** What the steps share: where the sample is, where results go, and what earlier steps produced. */
    static final class Context {
        final Path model;
        final Path images;
        final Path labels;
        final Path home;
        final Path outDir;
        final PrintWriter out;
        int verifyLimit = 50;
        /** The package step's result; null until it ran or when it was skipped. */
        PackageResult packaged;
        /** For the int8 step; null for the library's default. */
        Integer calibrationSamples;
        SavedModelInfo modelInfo;
        /** Conversions by label ("float32", "float16", ...), in the order they ran. */
        final Map<String, ConversionResult> conversions = new LinkedHashMap<>();
        /** The evaluate step's report; null until it ran. */
        EvaluationReport evaluation;

        Context(Path home, Path model, Path outDir, PrintWriter out) {
            this.home = home;
            this.model = model;
            this.images = home.resolve(IMAGES);
            this.labels = home.resolve(LABELS);
            this.outDir = outDir;
            this.out = out;
        }
    }

    /** The pipeline, in order. */
    static List<Step> steps() {
        return List.of(new InspectStep(), new ConvertStep("float32", Quantize.NONE), new ConvertStep("float16", Quantize.FLOAT16),
                new ConvertStep("int8", Quantize.INT8), new EvaluateStep(), new PackageStep());
    }

    @Override
    public Integer call() {
        Path repo = home != null ? home : home();
        Path model = sampleModel(repo);
        if (Files.isRegularFile(outDir)) {
            throw ConversionException.badInput("--out " + outDir + " is a file: give a folder");
        }
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw ConversionException.badInput("cannot create " + outDir + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Context ctx = new Context(repo, model, outDir, out);
        ctx.calibrationSamples = calibrationSamples;
        ctx.verifyLimit = verifyLimit;
        List<Step> steps = steps();
        out.println("mlpack demo: " + model + " -> " + outDir);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            out.println();
            out.println("[" + (i + 1) + "/" + steps.size() + "] " + step.title());
            out.flush();
            step.run(ctx);
            out.flush();
        }
        summary(ctx);
        return Main.OK;
    }

    /** The repository: system property {@code mlpack.home} (set by the launcher), else the current folder. */
    static Path home() {
        String h = System.getProperty("mlpack.home");
        return Path.of(h == null || h.isBlank() ? "" : h).toAbsolutePath().normalize();
    }

    static Path sampleModel(Path home) {
        Path model = home.resolve(SAMPLE);
        if (!Files.isRegularFile(model.resolve("saved_model.pb"))) {
            throw new ConversionException(ConversionException.Kind.INTERNAL, "the bundled sample " + model
                    + " is missing: run mlpack from its repository, or regenerate the sample with"
                    + " python \"$(tools/ensure-venv.sh | tail -1)\" samples/make_sample.py (see samples/README.md)");
        }
        return model;
    }

    private static void summary(Context ctx) {
        PrintWriter out = ctx.out;
        out.println();
        out.println("done: results in " + ctx.outDir);
        List<String[]> rows = new ArrayList<>();
        long source = ctx.modelInfo == null ? 0 : ctx.modelInfo.bytes();
        if (source > 0) rows.add(new String[] {"SavedModel", Format.bytes(source), "", ""});
        ctx.conversions.forEach((label, r) -> rows.add(new String[] {label + " .tflite", Format.bytes(r.bytes()),
                source > 0 ? String.format(Locale.ROOT, "%.0f%% of the SavedModel", 100.0 * r.bytes() / source) : "",
                "converted in " + Format.seconds(r.seconds())}));
        int[] w = new int[4];
        for (String[] row : rows) for (int i = 0; i < 4; i++) w[i] = Math.max(w[i], row[i].length());
        for (String[] row : rows) {
            out.println(("  " + Format.pad(row[0], w[0]) + "  " + Format.padLeft(row[1], w[1]) + "  "
                    + Format.pad(row[2], w[2]) + "  " + row[3]).stripTrailing());
        }
        if (ctx.conversions.size() > 1) out.println("  sizes: " + sideBySide(ctx.conversions));
        if (ctx.evaluation != null) {
            EvaluationReport e = ctx.evaluation;
            out.println(String.format(Locale.ROOT, "  accuracy on %d labelled images: SavedModel %.1f%%, int8 %.1f%% top-1 (%+.1f points),"
                    + " %.1f%% the same answer; report %s", e.n(), 100 * e.reference().top1(), 100 * e.candidate().top1(),
                    100 * (e.candidate().top1() - e.reference().top1()), 100 * e.agreementTop1(), ctx.outDir.resolve(EvaluateStep.HTML)));
        }
        if (ctx.packaged != null) {
            out.println("  packaged for Heroku: " + ctx.packaged.artifact() + " (deploy: see its README.md)");
            ctx.packaged.summary().forEach(line -> out.println("  " + line));
        }
        out.flush();
    }

    /** {@code float32 1.63 MB | float16 850.2 KB (1.9x smaller) | int8 520.0 KB (3.2x smaller)}, against the first. */
    static String sideBySide(Map<String, ConversionResult> conversions) {
        StringBuilder sb = new StringBuilder();
        long first = -1;
        for (Map.Entry<String, ConversionResult> e : conversions.entrySet()) {
            long bytes = e.getValue().bytes();
            if (first < 0) {
                first = bytes;
            } else {
                sb.append(" | ");
            }
            sb.append(e.getKey()).append(' ').append(Format.bytes(bytes));
            if (bytes != first && bytes > 0) sb.append(String.format(Locale.ROOT, " (%.1fx smaller)", (double) first / bytes));
        }
        return sb.toString();
    }

    // ---- steps -------------------------------------------------------------------------------------------------

    /** Reads the sample's signatures and size. */
    static final class InspectStep implements Step {
        @Override
        public String title() { return "Inspect the SavedModel"; }

        @Override
        public void run(Context ctx) {
            SavedModelInfo info = SavedModelImporter.describe(ctx.model);
            ctx.modelInfo = info;
            ctx.out.println("  " + ctx.model + ": " + Format.bytes(info.bytes()) + " on disk, "
                    + Format.count(Format.total(info.tfOps())) + " TF nodes, signature " + SIGNATURE);
            SavedModelInfo.Signature sig = info.signatures().get(SIGNATURE);
            if (sig == null) {
                throw ConversionException.badInput("the bundled sample has no signature " + SIGNATURE + "; regenerate it");
            }
            sig.inputs().forEach((k, t) -> ctx.out.println("  input   " + k + "  " + Format.dtype(t.dtype()) + " " + t.shape()));
            sig.outputs().forEach((k, t) -> ctx.out.println("  output  " + k + "  " + Format.dtype(t.dtype()) + " " + t.shape()));
        }
    }

    /**
     * Converts the sample to .tflite with the given weight format; int8 calibrates on the sample's images with the
     * sample's preprocessing ({@code --preprocess tf --resize bilinear}) and stores its labels.
     */
    static final class ConvertStep implements Step {
        private final String label;
        private final Quantize quantize;

        ConvertStep(String label, Quantize quantize) {
            this.label = label;
            this.quantize = quantize;
        }

        @Override
        public String title() {
            return "Convert to " + label + " TFLite (--quantize " + quantize.cliName()
                    + (quantize == Quantize.INT8 ? " --calibration " + IMAGES + " --preprocess tf --resize bilinear --labels " + LABELS : "")
                    + ")";
        }

        @Override
        public void run(Context ctx) {
            Path output = ctx.outDir.resolve("model_" + label + ".tflite");
            ConversionRequest.Builder request = ConversionRequest.builder(ctx.model, output).quantize(quantize)
                    .preprocess(Preprocess.TF).resize(Resize.BILINEAR).labels(ctx.labels)
                    .io(quantize == Quantize.INT8 ? Int8Quantizer.Io.UINT8 : Int8Quantizer.Io.FLOAT32)
                    .progress(CliProgress.forStderr());
            if (quantize == Quantize.INT8) {
                request.calibration(ctx.images);
                if (ctx.calibrationSamples != null) request.calibrationSamples(ctx.calibrationSamples);
            }
            ctx.out.flush();
            ConversionResult r = Converter.convert(request.build());
            ctx.conversions.put(label, r);
            ctx.out.println("  wrote " + r.output() + " (" + Format.bytes(r.bytes()) + ", " + OptimizeCommand.weights(r.quantize())
                    + ", " + OptimizeCommand.ioDescription(r.quantize(), quantize == Quantize.INT8 ? Int8Quantizer.Io.UINT8
                    : Int8Quantizer.Io.FLOAT32) + ") in " + Format.seconds(r.seconds()));
            for (String line : OptimizeCommand.sourceLines(r)) ctx.out.println(line);
            for (String line : OptimizeCommand.int8Lines(r)) ctx.out.println(line);
            ctx.out.println("  ops " + Format.total(r.ops()) + ": " + Format.top(r.ops(), 6));
        }
    }

    /**
     * Compares the int8 model with the SavedModel on the sample's labelled images, as {@code mlpack evaluate --reference
     * samples/model --candidate OUT/model_int8.tflite --data samples/images --html OUT/evaluation.html} does: the
     * accuracy table is the first thing to look at before shipping a model.
     */
    static final class EvaluateStep implements Step {
        static final String HTML = "evaluation.html";

        @Override
        public String title() {
            return "Compare the int8 model with the SavedModel on the labelled images (mlpack evaluate --reference " + SAMPLE
                    + " --candidate model_int8.tflite --data " + IMAGES + " --html " + HTML + ")";
        }

        @Override
        public void run(Context ctx) {
            ConversionResult int8 = ctx.conversions.get("int8");
            if (int8 == null) throw new ConversionException(ConversionException.Kind.INTERNAL, "the evaluate step needs the int8 step");
            Path html = ctx.outDir.resolve(HTML);
            ctx.out.flush();
            ctx.evaluation = Evaluator.evaluate(EvaluationRequest.builder(ctx.model, int8.output(), ctx.images)
                    .labels(ctx.labels).signature(SIGNATURE).progress(CliProgress.forStderr()).build());
            try {
                HtmlReport.write(ctx.evaluation, html);
            } catch (IOException e) {
                throw ConversionException.badInput("cannot write " + html + ": " + e.getMessage());
            }
            StringWriter table = new StringWriter();
            EvaluateCommand.print(new PrintWriter(table), ctx.evaluation, null, html);
            table.toString().lines().forEach(line -> ctx.out.println("  " + line));
            for (String w : ctx.evaluation.warnings()) ctx.out.println("  warning: " + w);
        }
    }

    /**
     * Packages the int8 model for Heroku ({@code mlpack package OUT/model_int8.tflite --target heroku -o OUT/app
     * --verify-data samples/images}) and self-checks it. Skipped, with the reason, when the server distribution has
     * not been built.
     */
    static final class PackageStep implements Step {
        @Override
        public String title() {
            return "Package the int8 model for Heroku (mlpack package model_int8.tflite --target heroku -o app --verify-data " + IMAGES + ")";
        }

        @Override
        public void run(Context ctx) {
            ConversionResult int8 = ctx.conversions.get("int8");
            if (int8 == null) throw new ConversionException(ConversionException.Kind.INTERNAL, "the package step needs the int8 step");
            ServerDist dist;
            try {
                dist = ServerDist.locate(ctx.home);
            } catch (PackageException e) {
                ctx.out.println("  skipped: " + e.getMessage());
                return;
            }
            PackageRequest request = PackageRequest.builder(int8.output(), ctx.outDir.resolve("app")).name("mlpack-sample")
                    .verifyData(ctx.images).verifyLimit(ctx.verifyLimit).serverDist(dist).build();
            try {
                ctx.packaged = Packager.pack(request, line -> ctx.out.println("  " + line));
            } catch (PackageException e) {
                throw PackageCommand.asConversionException(e);
            }
            SelfCheck.Result check = ctx.packaged.selfCheck();
            if (check != null && !check.passed()) {
                throw new ConversionException(ConversionException.Kind.INTERNAL, "the packaged sample failed its self-check: " + check.failure());
            }
        }
    }
}
