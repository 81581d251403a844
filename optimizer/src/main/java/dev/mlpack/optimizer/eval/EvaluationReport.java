package dev.mlpack.optimizer.eval;

import dev.mlpack.optimizer.stats.Metrics;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@link Evaluator} measured when comparing a reference model with a candidate on a labelled dataset:
 * immutable, with no formatting, so that the CLI table, the JSON file and an HTML report all read the same figures.
 *
 * @param n images evaluated (loaded and scored; skipped ones excluded)
 * @param topK the k of the top-k accuracies
 * @param threads the threads the models ran with
 * @param labels the class names in output-index order
 * @param reference figures of the reference model
 * @param candidate figures of the candidate model
 * @param agreementTop1 the fraction of images on which both models have the same top-1 class
 * @param meanKl the mean over images of KL(reference || candidate) of their score distributions, in nats
 * @param perClass accuracy per class, in output-index order, classes with no image left out
 * @param skipped images that could not be read, in dataset order
 * @param peakMemoryBytes the process's peak resident memory (VmHWM) at the end, or -1 where unknown
 * @param seconds wall time of the evaluation
 * @param images one entry per evaluated image, in evaluation order (for charts and the disagreement gallery)
 * @param warnings what the user should look at before trusting these figures (a model scoring no better than chance,
 *     a reference exported in training mode), one sentence each
 */
public record EvaluationReport(int n, int topK, int threads, List<String> labels, ModelStats reference,
                               ModelStats candidate, double agreementTop1, double meanKl, List<ClassStats> perClass,
                               List<SkippedImage> skipped, long peakMemoryBytes, double seconds,
                               List<ImageResult> images, List<String> warnings) {

    public EvaluationReport {
        labels = List.copyOf(labels);
        warnings = List.copyOf(warnings);
        images = images == null ? List.of() : List.copyOf(images);
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(candidate, "candidate");
        perClass = List.copyOf(perClass);
        skipped = List.copyOf(skipped);
    }

    /**
     * The figures of one model.
     *
     * @param path the model file or folder
     * @param format {@code "saved_model"} or {@code "tflite"}
     * @param input what the model was fed, e.g. {@code "uint8 pixels"} or {@code "float32 (tf)"}
     * @param bytes the size on disk (a SavedModel's folder in total)
     * @param top1Correct images whose top-1 class is the label
     * @param topKCorrect images whose label is among the top k classes
     * @param top1 {@code top1Correct / n}
     * @param topKAccuracy {@code topKCorrect / n}
     * @param top1Ci the 95% Wilson interval of {@code top1}, {lo, hi}
     * @param topKCi the 95% Wilson interval of {@code topKAccuracy}, {lo, hi}
     * @param latencyP50Ms the median time of one invoke (TFLite) or run (SavedModel), excluding image preparation
     *     and the warm-up runs; NaN when nothing was timed
     * @param latencyP95Ms the 95th percentile of the same
     * @param confusedPairs the most frequent (true, predicted) mistakes, most frequent first
     */
    public record ModelStats(String path, String format, String input, long bytes, int top1Correct, int topKCorrect,
                             double top1, double topKAccuracy, double[] top1Ci, double[] topKCi, double latencyP50Ms,
                             double latencyP95Ms, List<ConfusedPair> confusedPairs) {
        public ModelStats {
            top1Ci = top1Ci.clone();
            topKCi = topKCi.clone();
            confusedPairs = List.copyOf(confusedPairs);
        }

        @Override
        public double[] top1Ci() { return top1Ci.clone(); }

        @Override
        public double[] topKCi() { return topKCi.clone(); }
    }

    /** Top-1 accuracy of both models on the {@code n} images labelled {@code label}. */
    public record ClassStats(String label, int index, int n, double referenceTop1, double candidateTop1) {}

    /** {@code count} images labelled {@code actual} were classified as {@code predicted}. */
    public record ConfusedPair(String actual, String predicted, int count) {}

    /** A report without per-image results. */
    public EvaluationReport(int n, int topK, int threads, List<String> labels, ModelStats reference, ModelStats candidate,
                            double agreementTop1, double meanKl, List<ClassStats> perClass, List<SkippedImage> skipped,
                            long peakMemoryBytes, double seconds) {
        this(n, topK, threads, labels, reference, candidate, agreementTop1, meanKl, perClass, skipped, peakMemoryBytes,
                seconds, List.of(), List.of());
    }

    /**
     * What both models made of one image.
     *
     * @param file the image file
     * @param label the true class index
     * @param referenceTop1 the reference's top-1 class index
     * @param referenceScore the reference's top-1 probability (scores normalised by {@link Metrics#toDistribution})
     * @param candidateTop1 the candidate's top-1 class index
     * @param candidateScore the candidate's top-1 probability
     * @param referenceMs the reference's latency on this image
     * @param candidateMs the candidate's latency on this image
     */
    public record ImageResult(String file, int label, int referenceTop1, double referenceScore, int candidateTop1,
                              double candidateScore, double referenceMs, double candidateMs) {}

    /** An image left out because it could not be decoded. */
    public record SkippedImage(String file, String reason) {}
}
