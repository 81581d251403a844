package dev.mlpack.optimizer.data;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.tf.TfJpegDecoder;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The representative inputs that int8 quantization measures activation ranges on: up to {@code
 * --calibration-samples} images of {@code --calibration} (chosen by {@link Dataset#sample}, so
 * stratified over classes when the data has them, and the same on every run), each prepared by the
 * model's {@link ImagePipeline} into {@code height * width * channels} floats (NHWC, batch of one).
 *
 * <p>Immutable: {@link #input} returns a copy.
 */
public final class CalibrationSet {

    /** The default of {@code --calibration-samples}. */
    public static final int DEFAULT_SAMPLES = 200;

    private final Dataset dataset;
    private final List<float[]> inputs;

    /** Takes ownership of the arrays in {@code inputs}. */
    private CalibrationSet(Dataset dataset, List<float[]> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a calibration set needs at least one input");
        }
        int length = inputs.getFirst().length;
        for (float[] in : inputs) {
            if (in.length != length) {
                throw new IllegalArgumentException("calibration inputs differ in length: " + length + " and " + in.length);
            }
        }
        this.dataset = dataset;
        this.inputs = List.copyOf(inputs);
    }

    /**
     * Reads {@code --calibration}: a folder of images, class subfolders or a CSV (labels, if any, are
     * only used to spread the choice over classes), keeps at most {@code samples} images and loads
     * them on all cores, reporting a task "Loading images". JPEGs are decoded by TensorFlow, which the converter has
     * loaded anyway and which decodes them several times faster than ImageIO, to the same pixels.
     *
     * @throws ConversionException (bad input) for a missing or empty path, bad rows, a bad image, or
     *     {@code samples < 1}
     */
    public static CalibrationSet load(Path data, int samples, ImagePipeline pipeline, Progress progress) {
        checkSamples(samples);
        Dataset all = Dataset.open(data, null, "--calibration", null);
        try (TfJpegDecoder jpeg = new TfJpegDecoder()) {
            ImageDecoder decoder = new ImageDecoder().withJpegBackend(jpeg);
            return load(all, samples, new ImageLoader(pipeline, decoder, Runtime.getRuntime().availableProcessors()), progress);
        }
    }

    /** Like {@link #load(Path, int, ImagePipeline, Progress)} for a dataset already opened. */
    public static CalibrationSet load(Dataset dataset, int samples, ImageLoader loader, Progress progress) {
        checkSamples(samples);
        if (dataset.isEmpty()) {
            throw ConversionException.badInput("the calibration data " + dataset.source()
                    + " holds no images: point --calibration at a folder of images, or at class subfolders of images");
        }
        Dataset chosen = dataset.sample(samples);
        return new CalibrationSet(chosen, loader.loadAll(chosen.samples(), progress));
    }

    /**
     * A calibration set of given inputs, e.g. synthetic ones in tests; {@link #dataset()} is null.
     * The arrays are copied.
     */
    public static CalibrationSet of(List<float[]> inputs) {
        return new CalibrationSet(null, Objects.requireNonNull(inputs, "inputs").stream().map(float[]::clone).toList());
    }

    private static void checkSamples(int samples) {
        if (samples < 1) {
            throw ConversionException.badInput("--calibration-samples must be at least 1, got " + samples
                    + ": pass how many images to calibrate on (default " + DEFAULT_SAMPLES + ")");
        }
    }

    /** How many inputs. */
    public int size() {
        return inputs.size();
    }

    /** A copy of input {@code i}: {@code height * width * channels} floats, NHWC for one image. */
    public float[] input(int i) {
        return inputs.get(i).clone();
    }

    /** The length of every input. */
    public int inputLength() {
        return inputs.getFirst().length;
    }

    /** The images the inputs came from, in the same order, or null for a set made with {@link #of}. */
    public Dataset dataset() {
        return dataset;
    }
}
