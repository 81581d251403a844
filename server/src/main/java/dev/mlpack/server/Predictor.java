package dev.mlpack.server;

import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.classifier.ImageClassifier;
import dev.mlpack.runtime.classifier.OutputCandidate;
import dev.mlpack.runtime.classifier.OutputChoice;
import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.InputDecoder;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TensorInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The model side of the server: a loaded {@code .tflite} as an {@link ImageClassifier} (how images reach its input
 * and how its outputs become class probabilities, from the model's mlpack metadata overridden by the configuration,
 * exactly as evaluate and the package self-check run it), and a fixed pool of its runners, one per worker, because an
 * interpreter is not thread-safe. Images are decoded straight to the input ({@link #decode}) before a runner is
 * taken; {@link #infer(ModelInput)} then holds one for a single image.
 */
final class Predictor implements AutoCloseable {

    /**
     * One image's answer.
     *
     * @param values the class probabilities (what /predict ranks)
     * @param outputs every output of the model as it computed it, by output name in output order (what TF Serving's
     *     :predict returns)
     */
    record Scores(float[] values, Map<String, float[]> outputs) {}

    /** What one image puts into the input tensor, as it is: raw 8-bit values, or floats (an 8-bit input quantizes them). */
    record ModelInput(byte[] raw, float[] values) {}

    private final ImageClassifier classifier;
    private final ModelInfo info; // the classifier's resolved metadata, named as configured
    private final BlockingQueue<ImageClassifier.Runner> idle;
    private final List<ImageClassifier.Runner> all;
    private final InputDecoder decoder;
    private final boolean xnnpack;

    private Predictor(ImageClassifier classifier, ModelInfo info, InputDecoder decoder, List<ImageClassifier.Runner> runners) {
        this.classifier = classifier;
        this.info = info;
        this.decoder = decoder;
        this.all = List.copyOf(runners);
        this.idle = new ArrayBlockingQueue<>(runners.size(), false, runners);
        this.xnnpack = runners.getFirst().isXnnpackApplied();
    }

    /**
     * Loads the model and builds {@code workers} interpreters (XNNPACK with its int8 path, {@code threads} each),
     * each run once on a blank image so that the first request does not pay for XNNPACK's weight packing.
     *
     * @throws IllegalArgumentException for a model the server cannot serve (not an NHWC RGB or grayscale image
     *     classifier, labels that do not match the classes, an unknown --classifier-output)
     */
    static Predictor load(ServerConfig config, int workers) throws IOException {
        ImageClassifier.Loaded loaded = ImageClassifier.loadWithRunners(config.model(), ImageClassifier.Settings.DEFAULTS
                .withPreprocess(config.preprocess()).withResize(config.resize()).withLabels(config.labels(), "--labels")
                .withClassifierOutput(config.classifierOutput()), InterpreterOptions.defaults().withThreads(config.threadsPerWorker()), workers);
        ImageClassifier classifier = loaded.classifier();
        List<ImageClassifier.Runner> runners = loaded.runners();
        try {
            String name = config.name() != null ? config.name() : classifier.hasMetadata() ? classifier.info().name() : stem(config.model());
            Predictor p = new Predictor(classifier, classifier.info().toBuilder().name(name).build(),
                    new InputDecoder(classifier.pipeline(), config.maxPixels()), runners);
            ImagePipeline pipeline = classifier.pipeline();
            ModelInput blank = classifier.takesRawPixels() ? new ModelInput(new byte[pipeline.inputLength()], null)
                    : new ModelInput(null, pipeline.normalize(new float[pipeline.inputLength()]));
            for (ImageClassifier.Runner runner : runners) p.infer(runner, blank);
            return p;
        } catch (RuntimeException | Error e) {
            runners.forEach(ImageClassifier.Runner::close);
            classifier.close();
            throw e;
        }
    }

    private static String stem(java.nio.file.Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * Classifies one image's input on an idle runner. Callers run at most {@link #workers()} of these at once (the
     * inference threads), so a runner is always free.
     */
    Scores infer(ModelInput in) {
        ImageClassifier.Runner runner = idle.poll();
        if (runner == null) throw new IllegalStateException("more inferences at once than interpreters");
        try {
            return infer(runner, in);
        } finally {
            idle.add(runner);
        }
    }

    private Scores infer(ImageClassifier.Runner runner, ModelInput in) {
        if (in.raw() != null) runner.feedInput(in.raw());
        else runner.feedInput(in.values());
        runner.invoke();
        float[] probabilities = runner.probabilities();
        List<float[]> raw = runner.outputs();
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) outputs.put(classifier.outputs().get(i).name(), raw.get(i));
        return new Scores(probabilities, outputs);
    }

    /**
     * Decodes an image file straight to this model's input, as {@link ImageClassifier.Runner#feed} prepares a decoded
     * image: raw 0..255 pixels for mlpack's uint8 models (they normalise inside), preprocessed values for the others.
     */
    ModelInput decode(byte[] data, int offset, int length, String name, InputDecoder.MemoryGate gate) throws ImageDecodeException {
        return classifier.takesRawPixels() ? new ModelInput(decoder.pixels(data, offset, length, name, gate), null)
                : new ModelInput(null, pipeline().normalize(decoder.resized(data, offset, length, name, gate)));
    }

    /** The input for a TF Serving tensor: its values as they are, in the input's own type (0..255 for uint8). */
    ModelInput input(TfServing.Tensor tensor) {
        float[] v = tensor.values();
        DataType type = input().dataType();
        return switch (type) {
            case FLOAT32 -> new ModelInput(null, v);
            case UINT8, INT8 -> {
                int min = type == DataType.UINT8 ? 0 : -128;
                int max = type == DataType.UINT8 ? 255 : 127;
                byte[] raw = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != Math.rint(v[i]) || v[i] < min || v[i] > max) {
                        throw HttpError.badRequest("the model's input is " + type.name().toLowerCase(Locale.ROOT)
                                + ": tensor values must be integers from " + min + " to " + max + ", got " + v[i]);
                    }
                    raw[i] = (byte) (int) v[i];
                }
                yield new ModelInput(raw, null);
            }
            default -> throw HttpError.badRequest("numeric tensors are not taken for this model's " + type + " input: send base64 images");
        };
    }

    /** The input shape without its batch dimension, e.g. {@code [224, 224, 3]}: what a TF Serving instance holds. */
    int[] instanceShape() {
        int[] s = input().shape();
        return s.length == 4 ? Arrays.copyOfRange(s, 1, 4) : s.clone();
    }

    ModelInfo info() { return info; }

    boolean hasMetadata() { return classifier.hasMetadata(); }

    ImagePipeline pipeline() { return classifier.pipeline(); }

    TensorInfo input() { return all.getFirst().inputTensor(); }

    /** The number of classes /predict scores (two for a single sigmoid unit). */
    int classes() { return classifier.classes(); }

    /** Every output of the model, in order: what TF Serving's metadata lists. */
    List<OutputCandidate> outputs() { return classifier.outputs(); }

    /** For the startup line: which output /predict scores, and how, e.g. {@code output 'output_0' (one sigmoid unit as [1-p, p])}. */
    String scoring() {
        ClassifierOutput o = classifier.output();
        String how = switch (o.activation()) {
            case SOFTMAX -> "softmax";
            case SIGMOID -> o.units() == 1 ? "one sigmoid unit as [1-p, p]" : "sigmoid";
            case NONE -> o.units() == 1 ? "one logit, sigmoid applied, as [1-p, p]" : "logits, softmax applied";
        };
        int n = classifier.outputs().size();
        String which = n == 1 ? "" : classifier.choice().reason() == OutputChoice.Reason.FIRST_OF_SEVERAL
                ? "; the first of " + n + " outputs, none clearly the classifier: choose with --classifier-output" : "; one of " + n + " outputs";
        return "output '" + o.name() + "' (" + how + which + ")";
    }

    int workers() { return all.size(); }

    /** Workers not serving a request right now. */
    int idleWorkers() { return idle.size(); }

    boolean xnnpack() { return xnnpack; }

    long modelBytes() { return classifier.sizeBytes(); }

    /** Decodes images straight to the input size. */
    InputDecoder decoder() { return decoder; }

    String label(int index) {
        return classifier.label(index);
    }

    /** Frees the interpreters and the model; callers make sure no request is running. */
    @Override
    public void close() {
        all.forEach(ImageClassifier.Runner::close);
        classifier.close();
    }
}
