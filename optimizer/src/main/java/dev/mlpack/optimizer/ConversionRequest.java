package dev.mlpack.optimizer;

import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.prune.PruneSettings;
import dev.mlpack.optimizer.quant.CalibrationMethod;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to convert and how. Build with {@link #builder(Path, Path)}; only the model and output are required.
 * {@code calibration} is required for int8; {@code preprocess} and {@code resize} say how calibration images are
 * brought to what the SavedModel expects, and are recorded in the model's metadata. {@code classifierOutput} names the
 * signature output that holds the class scores, null for the default rule (see {@link ClassifierHead}).
 */
public record ConversionRequest(Path model, Path output, Quantize quantize, String signature, Path calibration,
                                int calibrationSamples, CalibrationMethod calibrationMethod, PreprocessingChoice preprocessing,
                                Resize resize, Path labels, Int8Quantizer.Io io, boolean requireInt8, Progress progress,
                                CalibrationSet calibrationSet, boolean biasCorrection, boolean floatOutputSoftmax,
                                PruneSettings prune, boolean sparseEncoding, List<String> floatLayers, boolean keepTrainingGraph,
                                String classifierOutput) {
    public ConversionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(quantize, "quantize");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(prune, "prune");
        Objects.requireNonNull(preprocessing, "preprocessing");
        floatLayers = List.copyOf(floatLayers);
        if (!floatLayers.isEmpty() && quantize != Quantize.INT8) {
            throw ConversionException.badInput("--float-layers keeps layers out of int8; it needs --quantize int8");
        }
        if (!floatLayers.isEmpty() && requireInt8) {
            throw ConversionException.badInput("--float-layers keeps layers in float, --require-int8 forbids any: drop one of them");
        }
        if (calibrationSamples < 1) throw ConversionException.badInput("--calibration-samples must be at least 1");
        if (quantize == Quantize.INT8 && calibration == null && calibrationSet == null) {
            throw ConversionException.badInput("--quantize int8 needs --calibration DATA: a folder of sample images (or class folders, or a CSV)");
        }
    }

    public static Builder builder(Path model, Path output) { return new Builder(model, output); }

    public static final class Builder {
        private final Path model;
        private final Path output;
        private Quantize quantize = Quantize.NONE;
        private String signature = "serving_default";
        private Path calibration;
        private int calibrationSamples = 200;
        // Measured (BENCHMARKS.md): min/max kept the most signal on the ImageNet MobileNet and both potato models, MSE
        // on several keras.applications families (InceptionV3, MobileNetV2); auto tries both on calibration images.
        private CalibrationMethod calibrationMethod = CalibrationMethod.AUTO;
        private PreprocessingChoice preprocessing = PreprocessingChoice.INFER;
        private Resize resize = Resize.BILINEAR;
        private Path labels;
        private Int8Quantizer.Io io = Int8Quantizer.Io.UINT8;
        private boolean requireInt8;
        private Progress progress = Progress.none();
        private CalibrationSet calibrationSet;
        private boolean biasCorrection = true;
        private boolean floatOutputSoftmax;
        private PruneSettings prune = PruneSettings.NONE;
        private boolean sparseEncoding;
        private List<String> floatLayers = List.of();
        private boolean keepTrainingGraph;
        private String classifierOutput;

        private Builder(Path model, Path output) {
            this.model = model;
            this.output = output;
        }

        public Builder quantize(Quantize q) { this.quantize = q; return this; }

        public Builder signature(String s) { if (s != null) this.signature = s; return this; }

        public Builder calibration(Path data) { this.calibration = data; return this; }

        public Builder calibrationSamples(int n) { this.calibrationSamples = n; return this; }

        public Builder calibrationMethod(CalibrationMethod m) { this.calibrationMethod = m; return this; }

        /** The preprocessing the SavedModel expects; null (the default) works it out from the graph. */
        public Builder preprocess(Preprocess p) { this.preprocessing = PreprocessingChoice.given(p); return this; }

        public Builder preprocessing(PreprocessingChoice choice) { this.preprocessing = choice; return this; }

        public Builder resize(Resize r) { this.resize = r; return this; }

        public Builder labels(Path file) { this.labels = file; return this; }

        public Builder io(Int8Quantizer.Io io) { this.io = io; return this; }

        public Builder requireInt8(boolean on) { this.requireInt8 = on; return this; }

        public Builder progress(Progress p) { this.progress = p; return this; }

        /** Calibration inputs already prepared (preprocessed, model-sized), instead of images from {@code calibration}. */
        public Builder calibrationSet(CalibrationSet set) { this.calibrationSet = set; return this; }

        /** Moves the expected output shift from weight rounding into the biases (see Int8Quantizer). */
        public Builder biasCorrection(boolean on) { this.biasCorrection = on; return this; }

        /** Runs a final SOFTMAX in float, so that scores are not rounded to steps of 1/256. */
        public Builder floatOutputSoftmax(boolean on) { this.floatOutputSoftmax = on; return this; }

        /** Magnitude pruning of the kernels before quantization (see MagnitudePruner). */
        public Builder prune(PruneSettings p) { this.prune = p; return this; }

        /** Writes pruned kernels in TFLite's sparse tensor format, with a DENSIFY op before each reader. */
        public Builder sparseEncoding(boolean on) { this.sparseEncoding = on; return this; }

        /** Layer-name globs of layers kept in float in an int8 model (the per-layer fallback, see Int8Quantizer). */
        public Builder floatLayers(List<String> globs) { this.floatLayers = List.copyOf(globs); return this; }

        /** Converts the graph as traced, even where BatchNormalization runs in training mode (see ImportRepairs). */
        public Builder keepTrainingGraph(boolean on) { this.keepTrainingGraph = on; return this; }

        /** The signature output key of the classifier output; null for the default rule (see {@link ClassifierHead}). */
        public Builder classifierOutput(String name) { this.classifierOutput = name; return this; }

        public ConversionRequest build() {
            return new ConversionRequest(model, output, quantize, signature, calibration, calibrationSamples, calibrationMethod,
                    preprocessing, resize, labels, io, requireInt8, progress, calibrationSet, biasCorrection, floatOutputSoftmax,
                    prune, sparseEncoding, floatLayers, keepTrainingGraph, classifierOutput);
        }
    }

    /** A builder holding every setting of this request, to derive variants (the budget searches do). */
    public Builder toBuilder() { return toBuilder(output); }

    private Builder toBuilder(Path target) {
        return builder(model, target).quantize(quantize).signature(signature).calibration(calibration)
                .calibrationSamples(calibrationSamples).calibrationMethod(calibrationMethod).preprocessing(preprocessing).resize(resize)
                .labels(labels).io(io).requireInt8(requireInt8).progress(progress).calibrationSet(calibrationSet)
                .biasCorrection(biasCorrection).floatOutputSoftmax(floatOutputSoftmax).prune(prune).sparseEncoding(sparseEncoding)
                .floatLayers(floatLayers).keepTrainingGraph(keepTrainingGraph).classifierOutput(classifierOutput);
    }

    /** The preprocessing mode; null until {@link #preprocessing()} is resolved. */
    public Preprocess preprocess() { return preprocessing.mode(); }

    /** The same request writing to {@code target}. */
    public ConversionRequest withOutput(Path target) { return toBuilder(target).build(); }

    /** The same request with the preprocessing worked out for the imported graph (see PreprocessingChoice#resolve). */
    public ConversionRequest withPreprocessingFor(Graph imported) {
        return toBuilder(output).preprocessing(preprocessing.resolve(imported, model)).build();
    }
}
