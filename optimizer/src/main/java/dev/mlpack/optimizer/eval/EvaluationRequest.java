package dev.mlpack.optimizer.eval;

import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Evaluator#evaluate} compares: a reference (SavedModel folder or {@code .tflite}) against a candidate
 * {@code .tflite} on a labelled dataset.
 *
 * @param reference a SavedModel folder or a {@code .tflite} file
 * @param candidate a {@code .tflite} file
 * @param data a class folder tree or a CSV of path,label rows (see {@link dev.mlpack.optimizer.data.Dataset})
 * @param preprocess pixel normalisation, or null to take it from the candidate's (then the reference's) mlpack
 *     metadata, else {@code tf}
 * @param resize resize method, or null to take it from the metadata likewise, else {@code bilinear}
 * @param labels a labels file (line i = output i), or null to take the metadata's labels, else the sorted class
 *     folder names
 * @param topK k of the top-k accuracy, at least 1
 * @param limit evaluate at most this many images (a stratified subset, see {@link
 *     dev.mlpack.optimizer.data.Dataset#sample}), 0 for all
 * @param threads threads TFLite runs with, at least 1 (images are decoded on the calling thread, between runs, so
 *     that decoding does not disturb the latency figures)
 * @param maxSkip how many unreadable images are tolerated before failing
 * @param signature the SavedModel signature to run
 * @param progress where progress is reported
 * @param referenceMemo the reference's answers shared by evaluations of several candidates, or null (see {@link
 *     ReferenceMemo})
 * @param classifierOutput the name of the output both models are scored on, or null: the one the candidate's metadata
 *     records, else the default rule ({@link dev.mlpack.runtime.classifier.OutputChoice})
 */
public record EvaluationRequest(Path reference, Path candidate, Path data, Preprocess preprocess, Resize resize,
                                Path labels, int topK, int limit, int threads, int maxSkip, String signature,
                                Progress progress, ReferenceMemo referenceMemo, String classifierOutput) {
    public static final int DEFAULT_TOP_K = 5;

    public EvaluationRequest {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(data, "data");
        if (topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        if (limit < 0) throw new IllegalArgumentException("limit must not be negative, got " + limit);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (maxSkip < 0) throw new IllegalArgumentException("max-skip must not be negative, got " + maxSkip);
        if (signature == null) signature = "serving_default";
        if (progress == null) progress = Progress.none();
    }

    public static Builder builder(Path reference, Path candidate, Path data) {
        return new Builder(reference, candidate, data);
    }

    public static final class Builder {
        private final Path reference;
        private final Path candidate;
        private final Path data;
        private Preprocess preprocess;
        private Resize resize;
        private Path labels;
        private int topK = DEFAULT_TOP_K;
        private int limit;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int maxSkip;
        private String signature = "serving_default";
        private Progress progress = Progress.none();
        private ReferenceMemo referenceMemo;
        private String classifierOutput;

        private Builder(Path reference, Path candidate, Path data) {
            this.reference = reference;
            this.candidate = candidate;
            this.data = data;
        }

        public Builder preprocess(Preprocess p) { this.preprocess = p; return this; }

        public Builder resize(Resize r) { this.resize = r; return this; }

        public Builder labels(Path file) { this.labels = file; return this; }

        public Builder topK(int k) { this.topK = k; return this; }

        public Builder limit(int n) { this.limit = n; return this; }

        public Builder threads(int n) { this.threads = n; return this; }

        public Builder maxSkip(int n) { this.maxSkip = n; return this; }

        public Builder signature(String s) { if (s != null) this.signature = s; return this; }

        public Builder progress(Progress p) { this.progress = p; return this; }

        public Builder referenceMemo(ReferenceMemo m) { this.referenceMemo = m; return this; }

        /** The output both models are scored on; null for the candidate's recorded one, else the default rule. */
        public Builder classifierOutput(String name) { this.classifierOutput = name; return this; }

        public EvaluationRequest build() {
            return new EvaluationRequest(reference, candidate, data, preprocess, resize, labels, topK, limit, threads,
                    maxSkip, signature, progress, referenceMemo, classifierOutput);
        }
    }
}
