package dev.mlpack.runtime.classifier;

import dev.mlpack.runtime.concurrent.Background;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TensorInfo;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.FutureTask;
import org.tensorflow.lite.schema.Model;

/**
 * A {@code .tflite} image classifier as mlpack runs it everywhere (evaluate, serve, the package self-check): how an
 * image is fed to it and how its outputs become class probabilities, decided once, here, from the model's mlpack
 * metadata, the graph itself, and the caller's overrides.
 *
 * <ul>
 *   <li><b>Feeding</b>: the {@link #pipeline()} (input size and channels from the input tensor; resize and
 *       preprocessing from the overrides, else the metadata, else {@code bilinear} and {@code tf}). A model whose
 *       metadata says {@code inputType uint8} takes raw 0..255 pixels (mlpack's int8 default, the preprocessing runs
 *       inside); every other model takes the preprocessed values, which the interpreter quantizes for an 8-bit input.
 *       A grayscale input gets the image's PIL "L" luma.</li>
 *   <li><b>Scoring</b>: the {@link #output() classifier output} is the one asked for, else the one the metadata
 *       records, else the {@link OutputChoice#choose default rule}, falling back to the first output; its values go
 *       through {@link ClassifierOutput#probabilities}. Every output stays readable raw ({@link Runner#outputs()}),
 *       for clients that want what the model returns.</li>
 * </ul>
 *
 * <p>Thread-safe: it owns the loaded model; each thread makes its own {@link Runner} (one interpreter each).
 */
public final class ImageClassifier implements AutoCloseable {

    /**
     * What the caller overrides; null leaves a setting to the metadata (or the default).
     *
     * @param preprocess the preprocessing, or null
     * @param resize the resize method, or null
     * @param labels class names, or null
     * @param labelsSource where the labels come from, for messages (e.g. {@code --labels labels.txt})
     * @param classifierOutput the name of the classifier output, or null
     */
    public record Settings(Preprocess preprocess, Resize resize, List<String> labels, String labelsSource, String classifierOutput) {
        public static final Settings DEFAULTS = new Settings(null, null, null, null, null);

        public Settings {
            labels = labels == null ? null : List.copyOf(labels);
        }

        public Settings withPreprocess(Preprocess p) { return new Settings(p, resize, labels, labelsSource, classifierOutput); }

        public Settings withResize(Resize r) { return new Settings(preprocess, r, labels, labelsSource, classifierOutput); }

        /** Class names overriding the metadata's; {@code source} names them in messages. */
        public Settings withLabels(List<String> names, String source) {
            return new Settings(preprocess, resize, names, source, classifierOutput);
        }

        public Settings withClassifierOutput(String name) { return new Settings(preprocess, resize, labels, labelsSource, name); }
    }

    private final TfliteModel model;
    private final Description description;

    private ImageClassifier(TfliteModel model, Description description) {
        this.model = model;
        this.description = description;
    }

    /**
     * Reads the model's description, then loads it.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not an image classifier mlpack can run as configured (several inputs,
     *     not an NHWC image, labels that do not match the classes, an unknown classifier output), with a one-line reason
     * @throws dev.mlpack.runtime.tflite.TfliteException if TFLite rejects the file
     */
    public static ImageClassifier load(Path tflite, Settings settings) throws IOException {
        Description d = describe(tflite, settings);
        return new ImageClassifier(TfliteModel.load(tflite), d);
    }

    private static Description describe(Path tflite, Settings settings) throws IOException {
        // Mapped as a memory segment, unmapped on return: FileChannel's own MappedByteBuffer is made by reflection, whose
        // first use cost 20-30 ms of CPU on a server's boot; the description keeps nothing of the bytes.
        try (FileChannel ch = FileChannel.open(tflite, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            if (ch.size() > Integer.MAX_VALUE) throw new IOException(tflite + ": models over 2 GiB are not supported");
            return describe(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena).asByteBuffer(), settings, tflite.toString());
        }
    }

    /** A classifier and its runners, from {@link #loadWithRunners}. */
    public record Loaded(ImageClassifier classifier, List<Runner> runners) {}

    /** What the second thread of {@link #loadWithRunners} builds. */
    private record NativeParts(TfliteModel model, List<TfliteInterpreter> interpreters) {
        void close() {
            interpreters.forEach(TfliteInterpreter::close);
            model.close();
        }
    }

    /**
     * Like {@link #load} followed by {@code count} calls of {@link #newRunner}, with the native work (loading TFLite's
     * libraries and the model, building the interpreters) on a second thread while this one reads the description,
     * which runs interpreted at a server's boot (the labels' JSON above all): the load takes the longer of the two
     * rather than their sum. The description's errors come first, as with {@link #load}; whatever the other thread
     * built is freed when either fails.
     */
    public static Loaded loadWithRunners(Path tflite, Settings settings, InterpreterOptions options, int count) throws IOException {
        // A file that is no TFLite model at all gets the description's one-line reason alone, not TFLite's message too.
        if (!hasTfliteIdentifier(tflite)) describe(tflite, settings);
        FutureTask<NativeParts> natives = new FutureTask<>(() -> {
            TfliteModel model = TfliteModel.load(tflite);
            List<TfliteInterpreter> interpreters = new ArrayList<>(count);
            try {
                for (int i = 0; i < count; i++) interpreters.add(model.newInterpreter(options));
            } catch (RuntimeException | Error e) {
                new NativeParts(model, interpreters).close();
                throw e;
            }
            return new NativeParts(model, interpreters);
        });
        Thread.ofPlatform().name("model-native").start(natives);
        Description d;
        try {
            d = describe(tflite, settings);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Background.await(natives, "loading the model").close();
            } catch (IOException | RuntimeException | Error ignored) {
                // the description's error is the one to report
            }
            throw e;
        }
        NativeParts parts = Background.await(natives, "loading the model");
        ImageClassifier classifier = new ImageClassifier(parts.model(), d);
        List<Runner> runners = new ArrayList<>(count);
        for (TfliteInterpreter interpreter : parts.interpreters()) runners.add(classifier.new Runner(interpreter));
        return new Loaded(classifier, List.copyOf(runners));
    }

    /** Whether the file's bytes 4..7 are the flatbuffer identifier of a TFLite model. */
    private static boolean hasTfliteIdentifier(Path tflite) throws IOException {
        try (FileChannel ch = FileChannel.open(tflite, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(8);
            while (head.hasRemaining() && ch.read(head) >= 0) { }
            return head.position() == 8 && Model.ModelBufferHasIdentifier(head.flip());
        }
    }

    /** Like {@link #load} for a model in memory; {@code source} names it in messages. */
    public static ImageClassifier fromBytes(byte[] tflite, String source, Settings settings) {
        Description d = describe(ByteBuffer.wrap(tflite), settings, source);
        return new ImageClassifier(TfliteModel.fromBytes(tflite, source), d);
    }

    /** What {@link #describe} decided; see the accessors of the same names. */
    private record Description(ModelInfo info, boolean hasMetadata, ImagePipeline pipeline, boolean rawPixels, OutputChoice choice,
                               TfliteGraph graph) {}

    /** Everything but the loaded model: pure, so that a bad model or setting fails before any native memory is taken. */
    private static Description describe(ByteBuffer bytes, Settings s, String source) {
        Optional<ModelInfo> meta;
        TfliteGraph graph;
        try {
            meta = ModelInfo.read(bytes);
            graph = TfliteGraph.read(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        if (graph.inputs().size() != 1 || graph.outputs().isEmpty()) {
            throw new IllegalArgumentException(source + " has " + graph.inputs().size() + " inputs and " + graph.outputs().size()
                    + " outputs; mlpack runs image classifiers with one image input");
        }
        TfliteGraph.Input input = graph.inputs().getFirst();
        int[] shape = input.shape();
        boolean nhwc = (shape.length == 4 && shape[0] == 1) || shape.length == 3;
        int channels = shape.length == 0 ? 0 : shape[shape.length - 1];
        if (!nhwc || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException(source + " does not take one image (input " + input
                    + "): mlpack runs image classifiers with one [1, H, W, 3] (RGB) or [1, H, W, 1] (grayscale) input");
        }
        DataType type = input.type();
        if (type != DataType.FLOAT32 && !type.isEightBit()) {
            throw new IllegalArgumentException(source + " takes " + type + " input; mlpack runs models with uint8, int8 or float32 inputs");
        }
        if (meta.isEmpty() && s.preprocess() == null) {
            // Nothing says how the pixels are scaled (a model from another converter): ask rather than guess.
            throw new IllegalArgumentException(source + " carries no mlpack metadata, so how it expects its pixels scaled is"
                    + " unknown: pass --preprocess tf (x/127.5-1), caffe, torch or raw (0..255), as the model was trained");
        }
        ModelInfo base = meta.orElseGet(() -> ModelInfo.builder().preprocess(s.preprocess()).build());
        Preprocess preprocess = s.preprocess() != null ? s.preprocess() : base.preprocessMode();
        Resize resize = s.resize() != null ? s.resize() : base.resizeMethod();
        ImagePipeline pipeline;
        try {
            pipeline = new ImagePipeline(shape[shape.length - 3], shape[shape.length - 2], resize, preprocess, channels);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        List<String> labels = s.labels() != null ? s.labels() : base.labels();
        OutputChoice choice = s.classifierOutput() == null && base.recordsClassifierOutput()
                ? OutputChoice.recorded(graph.outputs(), base.classifierOutput(), base.activation().orElseThrow())
                : OutputChoice.choose(graph.outputs(), s.classifierOutput(), labels.size());
        ClassifierOutput out = choice.output();
        if (!labels.isEmpty() && labels.size() != out.classes()) {
            String from = s.labels() == null ? "the model's metadata" : s.labelsSource() == null ? "the labels" : s.labelsSource();
            throw new IllegalArgumentException(from + " names " + labels.size() + (labels.size() == 1 ? " class" : " classes")
                    + " but the classifier output '" + out.name() + "' scores " + out.classes() + " (" + out.describe() + ")"
                    + (out.binaryFromOneUnit() ? "; give two names, class 0 then class 1" : "; pass a labels file with one line per class"));
        }
        ModelInfo info = base.toBuilder().labels(labels).preprocess(preprocess).resize(resize)
                .inputSize(pipeline.height(), pipeline.width()).inputChannels(channels)
                .classifierOutput(out.name(), out.activation()).build();
        // mlpack's uint8 models take raw 0..255 pixels and normalise inside; everything else takes the preprocessed
        // values (quantized by the interpreter with the input's own scale and zero point for an 8-bit input).
        boolean rawPixels = meta.isPresent() && "uint8".equals(base.inputType()) && type.isEightBit();
        return new Description(info, meta.isPresent(), pipeline, rawPixels, choice, graph);
    }

    /**
     * An interpreter for one thread.
     *
     * @throws dev.mlpack.runtime.tflite.TfliteException if TFLite cannot build it (an op this TFLite lacks)
     */
    public Runner newRunner(InterpreterOptions options) {
        return new Runner(model.newInterpreter(options));
    }

    /** The metadata with the overrides applied and the classifier output resolved; defaults where there was none. */
    public ModelInfo info() { return description.info(); }

    /** Whether the model carries mlpack metadata (else everything came from the graph, the overrides and defaults). */
    public boolean hasMetadata() { return description.hasMetadata(); }

    /** How an image becomes this model's input. */
    public ImagePipeline pipeline() { return description.pipeline(); }

    /** Whether the model takes raw 0..255 pixels (mlpack's uint8 input) rather than preprocessed values. */
    public boolean takesRawPixels() { return description.rawPixels(); }

    /** The classifier output and how its values become probabilities. */
    public ClassifierOutput output() { return description.choice().output(); }

    /** How the classifier output was found. */
    public OutputChoice choice() { return description.choice(); }

    /** Every output, in order. */
    public List<OutputCandidate> outputs() { return description.graph().outputs(); }

    /** The input tensor. */
    public TfliteGraph.Input input() { return description.graph().inputs().getFirst(); }

    /** The number of classes scored. */
    public int classes() { return output().classes(); }

    /** The class names: the labels, else the indices "0", "1", .... */
    public List<String> classNames() {
        List<String> labels = info().labels();
        if (!labels.isEmpty()) return labels;
        List<String> names = new ArrayList<>(classes());
        for (int i = 0; i < classes(); i++) names.add(Integer.toString(i));
        return List.copyOf(names);
    }

    /** The name of class {@code index}. */
    public String label(int index) {
        List<String> labels = info().labels();
        return labels.isEmpty() ? Integer.toString(index) : labels.get(index);
    }

    /** Bytes of the loaded flatbuffer. */
    public long sizeBytes() { return model.sizeBytes(); }

    /** Where the model came from, for messages. */
    public String source() { return model.source(); }

    /** Frees the model once every runner has been closed (see {@link TfliteModel#close()}). */
    @Override
    public void close() { model.close(); }

    /** One interpreter of the classifier. Not thread-safe: one per thread. */
    public final class Runner implements AutoCloseable {
        private final TfliteInterpreter interpreter;

        private Runner(TfliteInterpreter interpreter) {
            this.interpreter = interpreter;
        }

        /** Sets the input to {@code image}, prepared by the {@link #pipeline()}. */
        public void feed(RgbImage image) {
            feedResized(pipeline().resized(image));
        }

        /**
         * Sets the input from {@link ImagePipeline#resized} values of the pipeline (0..255, at the input size, in its
         * channels), for callers that feed one decoded image to several models; {@code resized} is not modified.
         */
        public void feedResized(float[] resized) {
            if (takesRawPixels()) interpreter.setInput(0, ImagePipeline.roundToUint8(resized));
            else interpreter.setInput(0, pipeline().normalize(resized.clone()));
        }

        /**
         * Sets the input to values already in its form, as they are: raw bytes for an 8-bit input (for a raw-pixel model,
         * {@link ImagePipeline#roundToUint8} of {@link ImagePipeline#resized} values), e.g. decoded on another thread.
         */
        public void feedInput(byte[] raw) { interpreter.setInput(0, raw); }

        /** Like {@link #feedInput(byte[])} with floats (e.g. {@link ImagePipeline#normalize}d), which an 8-bit input quantizes. */
        public void feedInput(float[] values) { interpreter.setInput(0, values); }

        /** Runs the model on the current input. */
        public void invoke() { interpreter.invoke(); }

        /** The class probabilities of the last run. */
        public float[] probabilities() {
            return output().probabilities(interpreter.outputFloats(output().index()));
        }

        /** Every output of the last run as the model returned it (dequantized), in order. */
        public List<float[]> outputs() {
            List<float[]> out = new ArrayList<>(interpreter.outputs().size());
            for (int i = 0; i < interpreter.outputs().size(); i++) out.add(interpreter.outputFloats(i));
            return out;
        }

        /** {@link #feed}, {@link #invoke}, {@link #probabilities}. */
        public float[] classify(RgbImage image) {
            feed(image);
            invoke();
            return probabilities();
        }

        /** The input tensor as the interpreter sees it (type, shape, quantization). */
        public TensorInfo inputTensor() { return interpreter.input(0); }

        /** Whether XNNPACK took (part of) the graph. */
        public boolean isXnnpackApplied() { return interpreter.isXnnpackApplied(); }

        /** The classifier this runner belongs to. */
        public ImageClassifier classifier() { return ImageClassifier.this; }

        @Override
        public void close() { interpreter.close(); }
    }
}
