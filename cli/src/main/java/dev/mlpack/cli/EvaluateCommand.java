package dev.mlpack.cli;

import static dev.mlpack.optimizer.eval.ReportFormat.accuracy;
import static dev.mlpack.optimizer.eval.ReportFormat.latency;
import static dev.mlpack.optimizer.eval.ReportFormat.percent;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.eval.EvaluationReport;
import dev.mlpack.optimizer.eval.EvaluationReport.ClassStats;
import dev.mlpack.optimizer.eval.EvaluationReport.ConfusedPair;
import dev.mlpack.optimizer.eval.EvaluationReport.ModelStats;
import dev.mlpack.optimizer.eval.EvaluationRequest;
import dev.mlpack.optimizer.eval.Evaluator;
import dev.mlpack.optimizer.eval.HtmlReport;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mlpack evaluate --reference MODEL --candidate OUT.tflite --data DATA}: accuracy, agreement and speed of two models. */
@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Compares a converted model (--candidate) with the original (--reference) on labelled images:"
                + " top-1/top-k accuracy with 95%% confidence intervals, per-class accuracy, most confused classes,"
                + " top-1 agreement, mean KL divergence, latency, sizes and peak memory."},
        footerHeading = "%nExamples:%n",
        footer = {"  mlpack evaluate --reference samples/model --candidate out/sample-int8.tflite \\",
                "      --data samples/images --json out/sample-eval.json --html out/sample-eval.html"})
final class EvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "MODEL",
            description = "The original: a SavedModel folder, or a .tflite.")
    Path reference;

    @Option(names = "--candidate", required = true, paramLabel = "OUT.tflite",
            description = "The converted .tflite to check.")
    Path candidate;

    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "Labelled images: class subfolders of images, or a CSV of path,label rows.")
    Path data;

    @Option(names = "--preprocess", paramLabel = "MODE",
            description = "tf, caffe, torch or raw. Default: from the candidate's metadata, else the reference's, else"
                    + " what the reference SavedModel's graph shows (see optimize --preprocess); otherwise mlpack asks (exit 2).")
    String preprocess;

    @Option(names = "--resize", paramLabel = "METHOD",
            description = "bilinear, nearest or crop. Default: from the candidate's metadata, else bilinear.")
    String resize;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, line i naming output i. Default: the candidate's metadata labels, else the sorted"
                    + " class folder names.")
    Path labels;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "k of the top-k accuracy. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Evaluate at most N images, spread over the classes. Default: all.")
    int limit;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads TFLite runs with. Default: the number of cores.")
    Integer threads;

    @Option(names = "--max-skip", paramLabel = "N", defaultValue = "0",
            description = "How many unreadable images to skip before failing. Default: ${DEFAULT-VALUE}.")
    int maxSkip;

    @Option(names = "--signature", paramLabel = "NAME", defaultValue = "serving_default",
            description = "SavedModel signature of the reference. Default: ${DEFAULT-VALUE}.")
    String signature;

    @Option(names = "--classifier-output", paramLabel = "NAME",
            description = "The output both models are scored on, for models with several outputs. Default: the one the"
                    + " candidate's metadata records, else the only output, else the one with as many classes as the labels,"
                    + " else the only softmax output.")
    String classifierOutput;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML report with charts and the images the models disagree on.")
    Path html;

    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Also write one CSV row per image: file, label, each model's top-1 class and score.")
    Path predictions;

    @Override
    public Integer call() {
        if (topK < 1) throw usage("--top-k must be at least 1, got " + topK);
        if (limit < 0) throw usage("--limit must not be negative, got " + limit);
        if (maxSkip < 0) throw usage("--max-skip must not be negative, got " + maxSkip);
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw usage("--threads must be at least 1, got " + t);
        Preprocess pre = preprocess == null ? null : parse("--preprocess", preprocess, Preprocess::parse);
        Resize rs = resize == null ? null : parse("--resize", resize, Resize::parse);
        if (json != null) Args.requireWritableFile(spec, json, "--json");
        if (html != null) Args.requireWritableFile(spec, html, "--html");
        if (predictions != null) Args.requireWritableFile(spec, predictions, "--predictions");

        EvaluationReport report = Evaluator.evaluate(EvaluationRequest.builder(reference, candidate, data)
                .preprocess(pre).resize(rs).labels(labels).topK(topK).limit(limit).threads(t).maxSkip(maxSkip)
                .signature(signature).classifierOutput(classifierOutput).progress(CliProgress.forStderr()).build());
        if (json != null) JsonFiles.write(json, toJson(report), true);
        if (predictions != null) Converter.writeAtomically(predictions, predictionsCsv(report).getBytes(StandardCharsets.UTF_8));
        if (html != null) {
            try {
                HtmlReport.write(report, html);
            } catch (IOException e) {
                throw new ConversionException(ConversionException.Kind.BAD_INPUT, "cannot write --html " + html + ": " + e.getMessage(), e);
            }
        }
        print(spec.commandLine().getOut(), report, json, html);
        for (String w : report.warnings()) Main.line(spec.commandLine().getErr(), "warning: " + w);
        return Main.OK;
    }

    private <T> T parse(String option, String value, Function<String, T> parser) {
        return Args.parseOption(spec, option, value, parser);
    }

    private ParameterException usage(String message) {
        return Args.usage(spec, message);
    }

    // ------------------------------------------------------------------ CSV

    /** The {@code --predictions} rows, in the order the images were evaluated. */
    static String predictionsCsv(EvaluationReport r) {
        StringBuilder csv = new StringBuilder("file,label,reference_top1,reference_score,candidate_top1,candidate_score\n");
        List<String> names = r.labels();
        for (EvaluationReport.ImageResult i : r.images()) {
            csv.append(csvField(i.file())).append(',').append(csvField(names.get(i.label())))
                    .append(',').append(csvField(className(names, i.referenceTop1()))).append(',').append(score(i.referenceScore()))
                    .append(',').append(csvField(className(names, i.candidateTop1()))).append(',').append(score(i.candidateScore()))
                    .append('\n');
        }
        return csv.toString();
    }

    private static String score(double p) {
        return String.format(Locale.ROOT, "%.6f", p);
    }

    /** Outputs beyond the named classes (a model with more outputs than DATA has classes) are shown by index. */
    private static String className(List<String> names, int index) {
        return index < names.size() ? names.get(index) : Integer.toString(index);
    }

    /** RFC 4180 quoting, only where needed. */
    private static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) return value;
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    // ------------------------------------------------------------------ JSON

    /** The {@code --json} report. */
    static Map<String, Object> toJson(EvaluationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", r.n());
        m.put("top_k", r.topK());
        m.put("threads", r.threads());
        m.put("reference", model(r.reference(), r.topK()));
        m.put("candidate", model(r.candidate(), r.topK()));
        m.put("agreement_top1", round(r.agreementTop1(), 6));
        m.put("mean_kl", round(r.meanKl(), 8));
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (ClassStats c : r.perClass()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("label", c.label());
            e.put("n", c.n());
            e.put("reference_top1", round(c.referenceTop1(), 6));
            e.put("candidate_top1", round(c.candidateTop1(), 6));
            perClass.add(e);
        }
        m.put("per_class", perClass);
        List<Map<String, Object>> skipped = new ArrayList<>();
        r.skipped().forEach(s -> skipped.add(new LinkedHashMap<>(Map.of("file", s.file(), "reason", s.reason()))));
        m.put("skipped", skipped);
        Map<String, Object> confused = new LinkedHashMap<>();
        confused.put("reference", pairs(r.reference().confusedPairs()));
        confused.put("candidate", pairs(r.candidate().confusedPairs()));
        m.put("confused_pairs", confused);
        m.put("peak_memory_bytes", r.peakMemoryBytes() < 0 ? null : r.peakMemoryBytes());
        m.put("seconds", Format.millisPrecision(r.seconds()));
        m.put("warnings", r.warnings());
        return m;
    }

    private static Map<String, Object> model(ModelStats s, int k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", s.path());
        m.put("format", s.format());
        m.put("input", s.input());
        m.put("top1", round(s.top1(), 6));
        m.put("top" + k, round(s.topKAccuracy(), 6));
        m.put("top1_ci", List.of(round(s.top1Ci()[0], 6), round(s.top1Ci()[1], 6)));
        m.put("top" + k + "_ci", List.of(round(s.topKCi()[0], 6), round(s.topKCi()[1], 6)));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", round(s.latencyP50Ms(), 4));
        latency.put("p95", round(s.latencyP95Ms(), 4));
        m.put("latency_ms", latency);
        m.put("bytes", s.bytes());
        return m;
    }

    private static List<Map<String, Object>> pairs(List<ConfusedPair> pairs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ConfusedPair p : pairs) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("actual", p.actual());
            e.put("predicted", p.predicted());
            e.put("count", p.count());
            out.add(e);
        }
        return out;
    }

    /** Rounded for JSON; NaN (nothing measured) becomes null. */
    private static Double round(double v, int digits) {
        if (!Double.isFinite(v)) return null;
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    // ------------------------------------------------------------------ table

    static void print(PrintWriter out, EvaluationReport r, Path jsonFile, Path htmlFile) {
        ModelStats ref = r.reference();
        ModelStats cand = r.candidate();
        out.println("evaluated " + r.n() + (r.n() == 1 ? " image" : " images") + " in " + r.labels().size() + " classes"
                + (r.skipped().isEmpty() ? "" : " (" + r.skipped().size() + " skipped)") + ", " + r.threads()
                + (r.threads() == 1 ? " thread" : " threads") + ", in " + Format.seconds(r.seconds()));
        int w = 30;
        out.println("  " + Format.pad("", 18) + Format.pad("reference", w) + "candidate");
        row(out, "model", ref.path(), cand.path(), w);
        row(out, "input", ref.format() + ", " + ref.input(), cand.format() + ", " + cand.input(), w);
        row(out, "size", Format.bytes(ref.bytes()), Format.bytes(cand.bytes()), w);
        row(out, "top-1", accuracy(ref.top1(), ref.top1Ci()), accuracy(cand.top1(), cand.top1Ci()), w);
        row(out, "top-" + r.topK(), accuracy(ref.topKAccuracy(), ref.topKCi()), accuracy(cand.topKAccuracy(), cand.topKCi()), w);
        row(out, "latency p50/p95", latency(ref), latency(cand), w);
        out.println("  " + Format.pad("agreement top-1", 18) + percent(r.agreementTop1()));
        out.println("  " + Format.pad("mean KL", 18) + String.format(Locale.ROOT, "%.5f nats (reference || candidate)", r.meanKl()));
        if (r.peakMemoryBytes() > 0) out.println("  " + Format.pad("peak memory", 18) + Format.bytes(r.peakMemoryBytes()));
        out.println("  per class (top-1)   reference  candidate      n");
        for (ClassStats c : r.perClass()) {
            out.println("    " + Format.pad(c.label(), 18) + Format.padLeft(percent(c.referenceTop1()), 9)
                    + Format.padLeft(percent(c.candidateTop1()), 11) + Format.padLeft(Integer.toString(c.n()), 7));
        }
        confused(out, "reference", ref.confusedPairs());
        confused(out, "candidate", cand.confusedPairs());
        for (int i = 0; i < Math.min(3, r.skipped().size()); i++) {
            out.println("  skipped " + r.skipped().get(i).file() + " (" + r.skipped().get(i).reason() + ")");
        }
        if (r.skipped().size() > 3) out.println("  ... and " + (r.skipped().size() - 3) + " more skipped");
        if (jsonFile != null) out.println("  json  " + jsonFile);
        if (htmlFile != null) out.println("  html  " + htmlFile);
        out.flush();
    }

    private static void confused(PrintWriter out, String which, List<ConfusedPair> pairs) {
        if (pairs.isEmpty()) return;
        StringBuilder sb = new StringBuilder("  most confused (" + which + "): ");
        for (int i = 0; i < pairs.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(pairs.get(i).actual()).append(" -> ").append(pairs.get(i).predicted()).append(" ").append(pairs.get(i).count());
        }
        out.println(sb);
    }

    private static void row(PrintWriter out, String name, String a, String b, int w) {
        out.println("  " + Format.pad(name, 18) + Format.pad(a, w - 1) + " " + b);
    }
}
