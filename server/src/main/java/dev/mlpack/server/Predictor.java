package dev.mlpack.server;

import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.InputDecoder;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
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

/**
 * The model side of the server: a loaded {@code .tflite}, how images reach its input (from the model's mlpack
 * metadata, overridden by the configuration), and a fixed pool of interpreters, one per worker, because an
 * interpreter is not thread-safe. Images are decoded to the input size ({@link #decoder()}) before an interpreter is
 * taken; {@link #infer(ModelInput)} then holds one for a single image.
 */
final class Predictor implements AutoCloseable {

    /** One image's class scores, in output order. */
    record Scores(float[] values) {}

    /** What one image puts into the input tensor: raw quantized bytes, or floats (which an 8-bit input quantizes). */
    record ModelInput(byte[] raw, float[] values) {}

    private final TfliteModel model;
    private final ModelInfo info; // the metadata with the overrides applied
    private final boolean hasMetadata;
    private final ImagePipeline pipeline;
    private final boolean rawPixels;
    private final int classes;
    private final TensorInfo input;
    private final InputDecoder decoder;
    private final BlockingQueue<TfliteInterpreter> idle;
    private final List<TfliteInterpreter> all;
    private final boolean xnnpack;

    private Predictor(TfliteModel model, ModelInfo info, boolean hasMetadata, ImagePipeline pipeline, boolean rawPixels,
                      TensorInfo input, int classes, InputDecoder decoder, List<TfliteInterpreter> interpreters) {
        this.model = model;
        this.info = info;
        this.hasMetadata = hasMetadata;
        this.pipeline = pipeline;
        this.rawPixels = rawPixels;
        this.input = input;
        this.classes = classes;
        this.decoder = decoder;
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
                    new InputDecoder(pipeline, config.maxPixels()), interpreters);
            ModelInput blank = rawPixels ? new ModelInput(new byte[pipeline.width() * pipeline.height() * 3], null)
                    : new ModelInput(null, pipeline.preprocess().applyInPlace(new float[pipeline.width() * pipeline.height() * 3]));
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
     * Classifies one image's input on an idle interpreter. Callers run at most {@link #workers()} of these at once (the
     * inference threads), so an interpreter is always free.
     */
    Scores infer(ModelInput in) {
        TfliteInterpreter interpreter = idle.poll();
        if (interpreter == null) throw new IllegalStateException("more inferences at once than interpreters");
        try {
            return new Scores(infer(interpreter, in));
        } finally {
            idle.add(interpreter);
        }
    }

    /**
     * Decodes an image file straight to this model's input: raw 0..255 pixels for mlpack's uint8 models (they normalise
     * inside), preprocessed floats for the others.
     */
    ModelInput decode(byte[] data, int offset, int length, String name, InputDecoder.MemoryGate gate) throws ImageDecodeException {
        return rawPixels ? new ModelInput(decoder.pixels(data, offset, length, name, gate), null)
                : new ModelInput(null, pipeline.preprocess().applyInPlace(decoder.resized(data, offset, length, name, gate)));
    }

    /** The input for a TF Serving tensor: its values as they are, in the input's own type (0..255 for uint8). */
    ModelInput input(TfServing.Tensor tensor) {
        float[] v = tensor.values();
        return switch (input.dataType()) {
            case FLOAT32 -> new ModelInput(null, v);
            case UINT8, INT8 -> {
                boolean unsigned = input.dataType() == dev.mlpack.runtime.tflite.DataType.UINT8;
                int min = unsigned ? 0 : -128;
                int max = unsigned ? 255 : 127;
                byte[] raw = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != Math.rint(v[i]) || v[i] < min || v[i] > max) {
                        throw HttpError.badRequest("the model's input is " + input.dataType().name().toLowerCase(java.util.Locale.ROOT)
                                + ": tensor values must be integers from " + min + " to " + max + ", got " + v[i]);
                    }
                    raw[i] = (byte) (int) v[i];
                }
                yield new ModelInput(raw, null);
            }
            default -> throw HttpError.badRequest("numeric tensors are not taken for this model's " + input.dataType()
                    + " input: send base64 images");
        };
    }

    /** The input shape without its batch dimension, e.g. {@code [224, 224, 3]}: what a TF Serving instance holds. */
    int[] instanceShape() {
        int[] s = input.shape();
        return s.length == 4 ? java.util.Arrays.copyOfRange(s, 1, 4) : s.clone();
    }

    private float[] infer(TfliteInterpreter interpreter, ModelInput in) {
        if (in.raw() != null) interpreter.setInput(0, in.raw());
        else interpreter.setInput(0, in.values());
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

    /** Decodes images straight to the input size. */
    InputDecoder decoder() { return decoder; }

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
