package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import dev.mlpack.optimizer.tf.SavedModelInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mlpack inspect MODEL}: what is inside a SavedModel folder or a .tflite file. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Shows what a SavedModel folder or a .tflite file holds.",
                "SavedModel: signatures (input/output names, dtypes, shapes), parameter count, TF op histogram, size on disk.",
                ".tflite: inputs/outputs, operator histogram, tensor types, constants, quantization, file size."},
        footerHeading = "%nExamples:%n",
        footer = {"  mlpack inspect samples/model", "  mlpack inspect out/sample.tflite --json out/sample-inspect.json"})
final class InspectCommand implements Callable<Integer> {
    private static final String DEFAULT_SIGNATURE = "serving_default";

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "SavedModel folder or .tflite file.")
    Path model;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write what is shown as JSON.")
    Path json;

    @Override
    public Integer call() {
        if (json != null) Args.requireWritableFile(spec, json, "--json");
        if (!Files.exists(model)) throw ConversionException.badInput(model + " does not exist: pass a SavedModel folder or a .tflite file");
        Path target = model;
        if (Files.isRegularFile(model) && model.getFileName().toString().equals("saved_model.pb")) {
            target = model.toAbsolutePath().getParent();
        }
        if (!Files.isReadable(target)) throw ConversionException.badInput("cannot read " + model + ": permission denied");
        Map<String, Object> report = Files.isDirectory(target) ? savedModel(target) : tflite(target);
        if (json != null) JsonFiles.write(json, report);
        return Main.OK;
    }

    // ---- SavedModel --------------------------------------------------------------------------------------------

    private Map<String, Object> savedModel(Path dir) {
        SavedModelInfo info = SavedModelImporter.describe(dir);
        String signature = info.signatures().containsKey(DEFAULT_SIGNATURE) || info.signatures().isEmpty()
                ? DEFAULT_SIGNATURE : info.signatures().keySet().iterator().next();
        Long parameters = null;
        Integer variables = null;
        String importError = null;
        try {
            SavedModelImporter.Imported imported = Converter.importGraph(dir, signature);
            parameters = imported.parameterCount();
            variables = imported.variableCount();
        } catch (ConversionException e) {
            importError = e.getMessage();
        }

        PrintWriter out = spec.commandLine().getOut();
        out.println(model + ": SavedModel, " + Format.bytes(info.bytes()) + " on disk");
        if (info.signatures().isEmpty()) out.println("signatures: none");
        info.signatures().forEach((name, sig) -> {
            out.println("signature " + name);
            List<String[]> rows = new ArrayList<>();
            sig.inputs().forEach((k, t) -> rows.add(new String[] {"input", k, Format.dtype(t.dtype()), t.shape(), "(" + t.name() + ")"}));
            sig.outputs().forEach((k, t) -> rows.add(new String[] {"output", k, Format.dtype(t.dtype()), t.shape(), "(" + t.name() + ")"}));
            columns(out, "  ", rows);
        });
        if (parameters != null) {
            out.println("parameters: " + Format.count(parameters) + " in " + variables + " variables (signature " + signature + ")");
        } else {
            out.println("parameters: unknown: mlpack cannot import signature " + signature + ": " + importError);
        }
        out.println("TF ops: " + Format.count(Format.total(info.tfOps())) + " nodes, " + info.tfOps().size() + " kinds");
        Format.table(info.tfOps(), "  ").forEach(out::println);
        out.flush();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", model.toString());
        r.put("format", "saved_model");
        r.put("bytes", info.bytes());
        Map<String, Object> sigs = new LinkedHashMap<>();
        info.signatures().forEach((name, sig) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("inputs", tensors(sig.inputs()));
            s.put("outputs", tensors(sig.outputs()));
            sigs.put(name, s);
        });
        r.put("signatures", sigs);
        r.put("parameters", parameters);
        r.put("variables", variables);
        if (importError != null) r.put("import_error", importError);
        r.put("tf_ops", Format.byCount(info.tfOps()));
        return r;
    }

    private static Map<String, Object> tensors(Map<String, SavedModelInfo.Tensor> tensors) {
        Map<String, Object> out = new LinkedHashMap<>();
        tensors.forEach((k, t) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("dtype", Format.dtype(t.dtype()));
            m.put("shape", parseShape(t.shape()));
            out.put(k, m);
        });
        return out;
    }

    /** {@code "[?, 32, 3]"} to {@code [-1, 32, 3]}. */
    static List<Integer> parseShape(String shape) {
        String inner = shape.strip();
        if (inner.startsWith("[")) inner = inner.substring(1);
        if (inner.endsWith("]")) inner = inner.substring(0, inner.length() - 1);
        List<Integer> dims = new ArrayList<>();
        if (inner.isBlank()) return dims;
        for (String d : inner.split(",")) {
            String v = d.strip();
            dims.add(v.equals("?") ? -1 : Integer.parseInt(v));
        }
        return dims;
    }

    // ---- .tflite -----------------------------------------------------------------------------------------------

    private Map<String, Object> tflite(Path file) {
        TfliteSummary s = TfliteSummary.read(file);
        PrintWriter out = spec.commandLine().getOut();
        String desc = s.description() == null || s.description().isBlank() ? "" : ", \"" + s.description() + "\"";
        out.println(model + ": TFLite model (schema v" + s.schemaVersion() + desc + "), " + Format.bytes(s.bytes())
                + (s.subgraphs() == 1 ? "" : ", " + s.subgraphs() + " subgraphs"));
        out.println(s.signatures().isEmpty() ? "signatures: none" : "signatures: " + String.join(", ", s.signatures()));
        List<String[]> rows = new ArrayList<>();
        for (TfliteSummary.Io io : s.inputs()) rows.add(ioRow("input", io));
        for (TfliteSummary.Io io : s.outputs()) rows.add(ioRow("output", io));
        columns(out, "  ", rows);
        out.println("operators: " + Format.total(s.ops()) + " in total, " + s.ops().size() + " kinds");
        Format.table(s.ops(), "  ").forEach(out::println);
        out.println("tensors: " + Format.total(s.tensorTypes()) + " (" + Format.top(s.tensorTypes(), Integer.MAX_VALUE) + ")");
        if (s.constants().isEmpty()) {
            out.println("constants: none");
        } else {
            List<String> parts = new ArrayList<>();
            s.constants().forEach((type, c) -> parts.add(type + " " + c.tensors() + " tensors, " + Format.bytes(c.bytes())));
            out.println("constants: " + String.join("; ", parts));
        }
        TfliteSummary.Quantization q = s.quantization();
        if (q.none()) {
            out.println("quantization: none");
        } else {
            out.println("quantization: " + q.tensors() + " tensors (" + Format.top(q.types(), Integer.MAX_VALUE) + "): "
                    + q.perChannel() + " per-channel, " + q.perTensor() + " per-tensor; "
                    + Format.count(q.scales()) + " scales, " + Format.count(q.zeroPoints()) + " zero points");
        }
        out.flush();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", model.toString());
        r.put("format", "tflite");
        r.put("bytes", s.bytes());
        r.put("schema_version", s.schemaVersion());
        r.put("description", s.description());
        r.put("subgraphs", s.subgraphs());
        r.put("signatures", s.signatures());
        r.put("inputs", s.inputs().stream().map(InspectCommand::ioJson).toList());
        r.put("outputs", s.outputs().stream().map(InspectCommand::ioJson).toList());
        r.put("ops", Format.byCount(s.ops()));
        r.put("tensor_types", Format.byCount(s.tensorTypes()));
        Map<String, Object> constants = new LinkedHashMap<>();
        s.constants().forEach((type, c) -> constants.put(type, Map.of("tensors", c.tensors(), "bytes", c.bytes())));
        r.put("constants", constants);
        Map<String, Object> quant = new LinkedHashMap<>();
        quant.put("tensors", q.tensors());
        quant.put("per_channel", q.perChannel());
        quant.put("per_tensor", q.perTensor());
        quant.put("scales", q.scales());
        quant.put("zero_points", q.zeroPoints());
        quant.put("types", q.types());
        quant.put("details", q.details().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subgraph", d.subgraph());
            m.put("tensor", d.index());
            m.put("name", d.name());
            m.put("type", d.type());
            m.put("scales", d.scales());
            m.put("zero_points", d.zeroPoints());
            m.put("per_channel", d.perChannel());
            if (d.perChannel()) m.put("axis", d.axis());
            return m;
        }).toList());
        r.put("quantization", quant);
        return r;
    }

    private static String[] ioRow(String role, TfliteSummary.Io io) {
        String label = io.key() != null ? io.key() : io.name();
        String tensor = io.key() != null && !io.key().equals(io.name()) ? "(" + io.name() + ")" : "";
        return new String[] {role, label, io.type(), Format.shape(io.shape()), tensor};
    }

    private static Map<String, Object> ioJson(TfliteSummary.Io io) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (io.key() != null) m.put("key", io.key());
        m.put("name", io.name());
        m.put("type", io.type());
        m.put("shape", io.shape());
        return m;
    }

    /** Prints rows as left-aligned columns. */
    private static void columns(PrintWriter out, String indent, List<String[]> rows) {
        if (rows.isEmpty()) return;
        int n = rows.getFirst().length;
        int[] width = new int[n];
        for (String[] row : rows) for (int i = 0; i < n; i++) width[i] = Math.max(width[i], row[i].length());
        for (String[] row : rows) {
            StringBuilder sb = new StringBuilder(indent);
            for (int i = 0; i < n; i++) {
                sb.append(i == n - 1 ? row[i] : Format.pad(row[i], width[i]));
                if (i < n - 1) sb.append("  ");
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
