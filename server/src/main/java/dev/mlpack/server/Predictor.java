package dev.mlpack.server;

import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TensorInfo;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The model side of the server: a loaded {@code .tflite}, how images reach its input (from the model's mlpack
 * metadata, overridden by the configuration), and a fixed pool of interpreters, one per worker, because an
 * interpreter is not thread-safe. A request borrows one interpreter for all its images, decodes them while
 * holding it and within the shared {@link DecodeBudget} (which bounds the heap spent on images), and returns it.
 */
final class Predictor implements AutoCloseable {

    /** One image's class scores, in output order. */
    record Scores(float[] values) {}

    private final TfliteModel model;
    private final ModelInfo info; // the metadata with the overrides applied
    private final boolean hasMetadata;
    private final ImagePipeline pipeline;
    private final boolean rawPixels;
    private final int classes;
    private final TensorInfo input;
    private final ImageDecoder decoder;
    private final BlockingQueue<TfliteInterpreter> idle;
    private final List<TfliteInterpreter> all;
    private final boolean xnnpack;
    private final DecodeBudget budget;

    private Predictor(TfliteModel model, ModelInfo info, boolean hasMetadata, ImagePipeline pipeline, boolean rawPixels,
                      TensorInfo input, int classes, ImageDecoder decoder, DecodeBudget budget, List<TfliteInterpreter> interpreters) {
        this.model = model;
        this.info = info;
        this.hasMetadata = hasMetadata;
        this.pipeline = pipeline;
        this.rawPixels = rawPixels;
        this.input = input;
        this.classes = classes;
        this.decoder = decoder;
        this.budget = budget;
        this.all = List.copyOf(interpreters);
        this.idle = new ArrayBlockingQueue<>(interpreters.size(), false, interpreters);
        this.xnnpack = interpreters.getFirst().isXnnpackApplied();
    }

    /**
     * Loads the model and builds {@code workers} interpreters (XNNPACK with its int8 path, {@code threads} each),
     * each run once on a blank image so that the first request does not pay for XNNPACK's weight packing.
     *
     * @throws IllegalArgumentException for a model the server cannot serve (not an NHWC RGB image classifier,
     *     labels that do not match the outputs)
     */
    static Predictor load(ServerConfig config, int workers) throws IOException {
        return load(config, workers, DecodeBudget.forHeap(Runtime.getRuntime().maxMemory()));
    }

    static Predictor load(ServerConfig config, int workers, DecodeBudget budget) throws IOException {
        Optional<ModelInfo> meta = ModelInfo.read(config.model());
        TfliteModel model = TfliteModel.load(config.model());
        List<TfliteInterpreter> interpreters = new ArrayList<>();
        try {
            InterpreterOptions options = InterpreterOptions.defaults().withThreads(config.threadsPerWorker());
            for (int i = 0; i < workers; i++) interpreters.add(model.newInterpreter(options));
            TfliteInterpreter first = interpreters.getFirst();
            if (first.inputs().size() != 1 || first.outputs().isEmpty()) {
                throw new IllegalArgumentException(config.model() + " has " + first.inputs().size()
                        + " inputs; the server serves image classifiers with one image input");
            }
            TensorInfo input = first.input(0);
            int classes = Math.toIntExact(first.output(0).elementCount());
            ModelInfo base = meta.orElseGet(() -> ModelInfo.builder().name(stem(config.model())).build());
            Preprocess preprocess = config.preprocess() != null ? config.preprocess() : base.preprocessMode();
            Resize resize = config.resize() != null ? config.resize() : base.resizeMethod();
            ImagePipeline pipeline = ImagePipeline.forInput(input, resize, preprocess);
            List<String> labels = config.labels() != null ? config.labels() : base.labels();
            if (!labels.isEmpty() && labels.size() != classes) {
                throw new IllegalArgumentException((config.labels() != null ? "--labels names " : "the model's metadata names ")
                        + labels.size() + " labels but the model has " + classes + " outputs; pass a labels file with one line per class");
            }
            ModelInfo info = base.toBuilder().name(config.name() != null ? config.name() : base.name()).labels(labels)
                    .preprocess(preprocess).resize(resize).inputSize(pipeline.height(), pipeline.width()).build();
            // mlpack's uint8 models take raw 0..255 pixels and normalise inside; everything else takes the
            // preprocessed values (quantized by the interpreter for int8/uint8 inputs).
            boolean rawPixels = meta.isPresent() && "uint8".equals(base.inputType()) && input.dataType().isEightBit();
            Predictor p = new Predictor(model, info, meta.isPresent(), pipeline, rawPixels, input, classes,
                    new ImageDecoder(config.maxPixels()), budget, interpreters);
            RgbImage blank = new RgbImage(pipeline.width(), pipeline.height(), new byte[pipeline.width() * pipeline.height() * 3]);
            for (TfliteInterpreter interpreter : interpreters) p.infer(interpreter, blank);
            return p;
        } catch (RuntimeException | Error e) {
            interpreters.forEach(TfliteInterpreter::close);
            model.close();
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
        TfliteInterpreter interpreter = borrow(deadlineNanos);
        try {
            List<Scores> out = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                DecodeBudget.Lease memory = budget.acquire(images.get(i), deadlineNanos);
                try {
                    out.add(new Scores(infer(interpreter, decode(images.get(i), images.size() == 1 ? "image" : "image " + (i + 1)))));
                } finally {
                    budget.release(memory);
                }
            }
            return out;
        } finally {
            giveBack(interpreter);
        }
    }

    /** Takes an idle interpreter, waiting at most until the deadline; 503 when none frees up in time. */
    TfliteInterpreter borrow(long deadlineNanos) throws InterruptedException {
        TfliteInterpreter interpreter = idle.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (interpreter == null) {
            throw HttpError.busy("timed out waiting for a free worker; retry later");
        }
        return interpreter;
    }

    void giveBack(TfliteInterpreter interpreter) {
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

    private float[] infer(TfliteInterpreter interpreter, RgbImage image) {
        if (rawPixels) interpreter.setInput(0, pipeline.toUint8(image));
        else interpreter.setInput(0, pipeline.toFloats(image));
        interpreter.invoke();
        return interpreter.outputFloats(0);
    }

    ModelInfo info() { return info; }

    boolean hasMetadata() { return hasMetadata; }

    ImagePipeline pipeline() { return pipeline; }

    TensorInfo input() { return input; }

    int classes() { return classes; }

    int workers() { return all.size(); }

    /** Workers not serving a request right now. */
    int idleWorkers() { return idle.size(); }

    boolean xnnpack() { return xnnpack; }

    long modelBytes() { return model.sizeBytes(); }

    DecodeBudget budget() { return budget; }

    String label(int index) {
        List<String> labels = info.labels();
        return labels.isEmpty() ? Integer.toString(index) : labels.get(index);
    }

    /** Frees the interpreters and the model; callers make sure no request is running. */
    @Override
    public void close() {
        all.forEach(TfliteInterpreter::close);
        model.close();
    }
}
