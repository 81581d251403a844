package dev.mlpack.cli;

import dev.mlpack.optimizer.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mlpack optimize MODEL -o OUT.tflite}: SavedModel to .tflite. */
@Command(name = "optimize",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Converts a SavedModel folder to a TensorFlow Lite model (.tflite).",
                "Float models keep float32 inputs and outputs; --quantize float16 halves the weights."},
        footerHeading = "%nExample:%n",
        footer = "  mlpack optimize samples/model -o out/sample.tflite --json out/sample.json")
final class OptimizeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "SavedModel folder (the one model.export() or model.save() wrote).")
    Path model;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.tflite",
            description = "Output file. Default: <model folder name>.tflite in the current folder.")
    Path output;

    @Option(names = "--quantize", paramLabel = "MODE", defaultValue = "none",
            description = "Weight format: none (float32, default) or float16. int8 and dynamic are not available yet.")
    String quantize;

    @Option(names = "--io", paramLabel = "TYPE", defaultValue = "float32",
            description = "Type of the model's inputs and outputs: float32 (the only choice for now).")
    String io;

    @Option(names = "--signature", paramLabel = "NAME",
            description = "SavedModel signature to convert. Default: serving_default.")
    String signature;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the result as JSON: output, bytes, quantize, seconds, ops.")
    Path json;

    @Override
    public Integer call() {
        Quantize q = parseQuantize(spec, quantize);
        if (!io.trim().equalsIgnoreCase("float32")) {
            throw new ParameterException(spec.commandLine(), "--io " + io + " is not supported: float models keep float32 inputs and outputs (--io float32)");
        }
        Path out = output != null ? output : defaultOutput(model);
        Args.requireModelFolder(model, "optimize");
        Args.requireWritableFile(spec, out, "-o");
        if (json != null) Args.requireWritableFile(spec, json, "--json");

        ConversionRequest request = ConversionRequest.builder(model, out).quantize(q).signature(signature).build();
        ConversionResult result = Converter.convert(request);
        if (json != null) JsonFiles.write(json, toJson(result));
        printSummary(spec.commandLine().getOut(), result);
        return Main.OK;
    }

    static Quantize parseQuantize(CommandSpec spec, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("int8") || v.equals("dynamic")) {
            throw new ParameterException(spec.commandLine(), "--quantize " + v
                    + " is not implemented yet (it comes with int8 quantization); use none or float16");
        }
        try {
            return Quantize.parse(v);
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

    /** The {@code --json} report. */
    static Map<String, Object> toJson(ConversionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", r.output().toString());
        m.put("bytes", r.bytes());
        m.put("quantize", r.quantize().cliName());
        m.put("seconds", Format.millisPrecision(r.seconds()));
        m.put("ops", Format.byCount(r.ops()));
        return m;
    }

    static String weights(Quantize q) {
        return switch (q) {
            case NONE -> "float32 weights";
            case FLOAT16 -> "float16 weights";
        };
    }

    private void printSummary(PrintWriter out, ConversionResult r) {
        out.println("wrote " + r.output() + " (" + Format.bytes(r.bytes()) + ", " + weights(r.quantize())
                + ", float32 I/O) in " + Format.seconds(r.seconds()));
        out.println("  ops   " + Format.total(r.ops()) + " in total: " + Format.top(r.ops(), 6));
        if (json != null) out.println("  json  " + json);
        out.flush();
    }
}
