package dev.mlpack.server;

import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.classifier.ImageClassifier;
import dev.mlpack.runtime.classifier.OutputCandidate;
import dev.mlpack.runtime.classifier.OutputChoice;
import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The model side of the server: a loaded {@code .tflite} as an {@link ImageClassifier} (how images reach its input
 * and how its outputs become class probabilities, from the model's mlpack metadata overridden by the configuration,
 * exactly as evaluate and the package self-check run it), and a fixed pool of its runners, one per worker, because an
 * interpreter is not thread-safe. A request borrows one runner for all its images, decodes them while holding it and
 * within the shared {@link DecodeBudget} (which bounds the heap spent on images), and returns it.
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

    private final ImageClassifier classifier;
    private final ModelInfo info; // the classifier's resolved metadata, named as configured
    private final BlockingQueue<ImageClassifier.Runner> idle;
    private final List<ImageClassifier.Runner> all;
    private final ImageDecoder decoder;
    private final boolean xnnpack;
    private final DecodeBudget budget;

    private Predictor(ImageClassifier classifier, ModelInfo info, ImageDecoder decoder, DecodeBudget budget,
                      List<ImageClassifier.Runner> runners) {
        this.classifier = classifier;
        this.info = info;
        this.decoder = decoder;
        this.budget = budget;
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
        return load(config, workers, DecodeBudget.forHeap(Runtime.getRuntime().maxMemory()));
    }

    static Predictor load(ServerConfig config, int workers, DecodeBudget budget) throws IOException {
        ImageClassifier classifier = ImageClassifier.load(config.model(), ImageClassifier.Settings.DEFAULTS
                .withPreprocess(config.preprocess()).withResize(config.resize()).withLabels(config.labels(), "--labels")
                .withClassifierOutput(config.classifierOutput()));
        List<ImageClassifier.Runner> runners = new ArrayList<>();
        try {
            InterpreterOptions options = InterpreterOptions.defaults().withThreads(config.threadsPerWorker());
            for (int i = 0; i < workers; i++) runners.add(classifier.newRunner(options));
            String name = config.name() != null ? config.name() : classifier.hasMetadata() ? classifier.info().name() : stem(config.model());
            Predictor p = new Predictor(classifier, classifier.info().toBuilder().name(name).build(), new ImageDecoder(config.maxPixels()),
                    budget, runners);
            ImagePipeline pipeline = classifier.pipeline();
            RgbImage blank = new RgbImage(pipeline.width(), pipeline.height(), new byte[pipeline.width() * pipeline.height() * 3]);
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
     * Decodes and classifies {@code images} on one borrowed interpreter, waiting for one (and for the memory to
     * decode each image, see {@link DecodeBudget}) at most until {@code deadlineNanos} ({@link System#nanoTime()}
     * based).
     *
     * @throws HttpError 400 or 413 for an image that cannot be decoded, 503 when no worker frees up in time
     */
    List<Scores> predict(List<byte[]> images, long deadlineNanos) throws InterruptedException {
        ImageClassifier.Runner interpreter = borrow(deadlineNanos);
        try {
            List<Scores> out = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                DecodeBudget.Lease memory = budget.acquire(images.get(i), deadlineNanos);
                try {
                    out.add(infer(interpreter, decode(images.get(i), images.size() == 1 ? "image" : "image " + (i + 1))));
                } finally {
                    budget.release(memory);
                }
            }
            return out;
        } finally {
            giveBack(interpreter);
        }
    }

    /** Takes an idle runner, waiting at most until the deadline; 503 when none frees up in time. */
    ImageClassifier.Runner borrow(long deadlineNanos) throws InterruptedException {
        ImageClassifier.Runner interpreter = idle.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (interpreter == null) {
            throw HttpError.busy("timed out waiting for a free worker; retry later");
        }
        return interpreter;
    }

    void giveBack(ImageClassifier.Runner interpreter) {
        idle.add(interpreter);
    }

    private RgbImage decode(byte[] data, String name) {
        try {
            return decoder.decode(data, name);
        } catch (ImageDecodeException e) {
            // The decoder checks the header's size against the pixel limit before decoding anything.
            boolean tooManyPixels = e.getMessage().contains("more than the limit");
            throw new HttpError(tooManyPixels ? 413 : 400, e.getMessage());
        }
    }

    private Scores infer(ImageClassifier.Runner runner, RgbImage image) {
        float[] probabilities = runner.classify(image);
        List<float[]> raw = runner.outputs();
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) outputs.put(classifier.outputs().get(i).name(), raw.get(i));
        return new Scores(probabilities, outputs);
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

    DecodeBudget budget() { return budget; }

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
