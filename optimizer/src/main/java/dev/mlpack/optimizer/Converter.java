package dev.mlpack.optimizer;

import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.data.Dataset;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.tflite.MetadataWriter;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.quant.Int8Conversion;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.image.ImagePipeline;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.prune.CompressedSize;
import dev.mlpack.optimizer.prune.MagnitudePruner;
import dev.mlpack.optimizer.prune.PruneReport;
import dev.mlpack.optimizer.ops.OpRegistry;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.optimizer.tflite.WeightStorage;
import dev.mlpack.optimizer.ir.QuantParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** SavedModel to .tflite: import, optimize, write. The output file appears whole or not at all. */
public final class Converter {
    private Converter() {}

    public static ConversionResult convert(ConversionRequest request) {
        long start = System.nanoTime();
        SavedModelImporter.Imported imported = importGraph(request.model(), request.signature(), request.keepTrainingGraph());
        return convert(request.withPreprocessingFor(imported.graph()), imported, start);
    }

    /**
     * Converts a model imported from {@code request.model()} with the request's preprocessing already resolved for it
     * (the budget searches import once and convert copies); {@code imported}'s graph is rewritten in place.
     */
    public static ConversionResult convert(ConversionRequest request, SavedModelImporter.Imported imported) {
        return convert(request, imported, System.nanoTime());
    }

    private static ConversionResult convert(ConversionRequest request, SavedModelImporter.Imported imported, long start) {
        if (!request.preprocessing().resolved()) throw new IllegalArgumentException("the request's preprocessing is not resolved");
        Graph graph = imported.graph();
        Pipeline.optimize(graph);
        List<String> labels = request.labels() == null ? List.of() : Dataset.readLabels(request.labels());
        ClassifierOutput classifier = ClassifierHead.of(graph, request.classifierOutput(), labels.size());
        ModelInfo info = modelInfo(graph, request, labels, classifier); // validates --labels before the long calibration
        CalibrationSet images = request.quantize() == Quantize.INT8 ? calibrationSet(request, graph) : null;
        // On the folded kernels; with int8, the calibration images also guide which weights go and refit the rest.
        PruneReport pruning = MagnitudePruner.prune(graph, request.prune(), images == null ? null : inputs(images));
        Pipeline.legalizeForWriting(graph);
        Map<Value, QuantParams> params = Map.of();
        ConversionResult.Calibration calibration = null;
        List<String> floatOps = List.of();
        if (request.quantize() == Quantize.INT8) {
            Int8Conversion.Outcome q = Int8Conversion.run(graph, inputs(images), new Int8Quantizer.Settings(
                    request.calibrationMethod(), request.io(), request.preprocess(), request.biasCorrection(), request.floatOutputSoftmax(),
                    request.floatLayers()), classifier, request.progress());
            if (request.requireInt8() && !q.floatOps().isEmpty()) {
                throw ConversionException.badInput(q.floatOps().size() + " op(s) have no int8 kernel and would stay float (first: "
                        + q.floatOps().get(0) + "); drop --require-int8 to keep them in float");
            }
            params = q.params();
            Map<String, Double> candidates = new LinkedHashMap<>();
            q.candidateMeanKl().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> candidates.put(e.getKey().cliName(), e.getValue()));
            calibration = new ConversionResult.Calibration(images.size(), q.method().cliName(), q.calibrationSeconds(), candidates);
            floatOps = q.floatOps();
        } else if (request.quantize() == Quantize.DYNAMIC) {
            params = Int8Quantizer.weightsOnly(graph);
        }
        if (request.quantize() == Quantize.FLOAT16) WeightStorage.float16(graph);
        if (request.sparseEncoding()) params = WeightStorage.sparse(graph, params);
        TfliteWriter.Options.Builder options = TfliteWriter.Options.builder().signatureName(request.signature()).quantization(params);
        MetadataWriter.Encoded metadata = MetadataWriter.encode(info, List.copyOf(graph.outputs().keySet()));
        TfliteWriter.Written written = TfliteWriter.write(graph, metadata.addMetadataTo(options).build());
        byte[] bytes = metadata.appendTo(written.bytes());
        writeAtomically(request.output(), bytes);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new ConversionResult(request.output(), bytes.length, request.quantize(), seconds, written.ops(),
                calibration, floatOps, CompressedSize.of(bytes), pruning, request.preprocessing(), imported.repairs(), classifier);
    }

    /**
     * What a server needs to use the model on its own: labels, the preprocessing and resize the SavedModel expects,
     * what the written input and output tensors hold, and which output is the classifier and what its values are.
     */
    private static ModelInfo modelInfo(Graph graph, ConversionRequest request, List<String> labels, ClassifierOutput classifier) {
        Value input = graph.inputs().values().iterator().next();
        ClassifierHead.checkLabels(labels, request.labels(), classifier);
        ImageInput.checkPreprocess(graph, request.preprocess());
        boolean int8 = request.quantize() == Quantize.INT8;
        String inputType = !int8 ? "float32" : request.io().name().toLowerCase(java.util.Locale.ROOT);
        ModelInfo.Builder info = ModelInfo.builder()
                .name(request.model().toAbsolutePath().normalize().getFileName().toString())
                .description("converted by mlpack from a TensorFlow SavedModel (" + request.quantize().cliName() + "); "
                        + ClassifierHead.describe(classifier))
                .labels(labels).preprocess(request.preprocess()).resize(request.resize())
                .classifierOutput(classifier.name(), classifier.activation()).inputChannels(ImageInput.channels(graph))
                .inputType(inputType).outputType(int8 && request.io() == Int8Quantizer.Io.INT8 ? "int8" : "float32")
                .mlpackVersion(version());
        if (input.shape().rank() == 4) info.inputSize(input.shape().dim(1), input.shape().dim(2));
        return info.build();
    }

    /** The version in the jar manifest; "dev" when running from classes (tests). */
    public static String version() {
        String v = Converter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static List<float[]> inputs(CalibrationSet images) {
        return java.util.stream.IntStream.range(0, images.size()).mapToObj(images::input).toList();
    }

    /** The request's calibration inputs: given already prepared, or loaded from {@code request.calibration()}. */
    public static CalibrationSet calibrationSet(ConversionRequest request, Graph graph) {
        return request.calibrationSet() != null ? request.calibrationSet()
                : CalibrationSet.load(request.calibration(), request.calibrationSamples(), pipelineFor(graph, request), request.progress());
    }

    /** Calibration images go through the same resize and preprocessing the SavedModel's own input expects. */
    private static ImagePipeline pipelineFor(Graph graph, ConversionRequest request) {
        return ImageInput.pipeline(graph, request.resize(), request.preprocess());
    }

    /** {@link #importGraph(Path, String, boolean)}, repairing training-mode BatchNormalization. */
    public static SavedModelImporter.Imported importGraph(Path model, String signature) {
        return importGraph(model, signature, false);
    }

    /** Imports the signature of the SavedModel in {@code model}; see {@link SavedModelImporter#load}. */
    public static SavedModelImporter.Imported importGraph(Path model, String signature, boolean keepTrainingGraph) {
        return SavedModelImporter.load(model, signature, keepTrainingGraph, OpRegistry.tfLowerings());
    }

    /** Writes to a temporary file beside the target, then renames, so a failure never leaves half a model. */
    public static void writeAtomically(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                // createTempFile makes owner-only files; a model is meant to be read by servers and other users.
                try {
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException notPosix) {
                    // non-POSIX file systems keep their default permissions
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.NoSuchFileException ? "no such folder" : e.getClass().getSimpleName();
            throw new ConversionException(ConversionException.Kind.BAD_INPUT, "cannot write " + target + ": " + reason);
        }
    }
}
