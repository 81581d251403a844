package dev.mlpack.optimizer.eval;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.PreprocessingChoice;
import dev.mlpack.optimizer.keras.PreprocessingInference;
import dev.mlpack.optimizer.stats.Metrics;
import dev.mlpack.optimizer.tf.ImportRepairs;
import dev.mlpack.optimizer.data.Dataset;
import dev.mlpack.optimizer.data.ImageLoader;
import dev.mlpack.optimizer.eval.EvaluationReport.ClassStats;
import dev.mlpack.optimizer.eval.EvaluationReport.ConfusedPair;
import dev.mlpack.optimizer.eval.EvaluationReport.ImageResult;
import dev.mlpack.optimizer.eval.EvaluationReport.ModelStats;
import dev.mlpack.optimizer.eval.EvaluationReport.SkippedImage;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.optimizer.reference.SavedModelRunner;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import dev.mlpack.optimizer.tf.SavedModelInfo;
import dev.mlpack.optimizer.tf.TfJpegDecoder;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.classifier.ImageClassifier;
import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.classifier.OutputCandidate;
import dev.mlpack.runtime.classifier.OutputChoice;
import dev.mlpack.runtime.classifier.TfliteGraph;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Compares a reference model (SavedModel folder or {@code .tflite}) with a candidate {@code .tflite} on a labelled
 * dataset and returns an {@link EvaluationReport}.
 *
 * <p>Each image is decoded and resized once (both models must take the same input size and channels; a grayscale
 * model gets the image's PIL "L" luma); each model is fed what it expects, as {@link ImageClassifier} decides for
 * every mlpack command: raw 0..255 pixels to mlpack's uint8 input, preprocessed floats otherwise (an int8 input
 * quantizes them with its own scale and zero point). Preprocessing, resize and labels come from the request, else
 * from the candidate's mlpack metadata, else from the reference's (when it is a {@code .tflite}), else {@code tf},
 * {@code bilinear} and the sorted class folder names.
 *
 * <p>Both models are scored on their classifier output's class probabilities ({@link ClassifierOutput}): a single
 * sigmoid unit as two classes {@code [1 - p, p]}, logits through a softmax. The classifier output is the request's
 * {@code classifierOutput}, else the one the candidate's metadata records (the reference's output of the same name),
 * else the default rule ({@link OutputChoice}); a model whose classifier output is not clear is refused.
 *
 * <p>Latency is the time of {@code invoke()} (TFLite) or of the session run (SavedModel) alone, one image at a time,
 * after {@value #WARMUP} untimed runs of each model on the first image. Images are taken {@value #CHUNK} at a time:
 * decoded on all cores, then run through the candidate, then through the reference. Problems the user can fix raise {@link
 * ConversionException#badInput} with a one-line message.
 */
public final class Evaluator {
    /** Untimed runs of each model before timing starts. */
    public static final int WARMUP = 5;
    /** Images decoded together, then run through each model in turn. */
    static final int CHUNK = 32;
    /** How many confused pairs a report lists per model. */
    public static final int CONFUSED_PAIRS = 5;

    private Evaluator() {}

    public static EvaluationReport evaluate(EvaluationRequest request) {
        long start = System.nanoTime();
        requireModel(request.reference(), "--reference", true);
        requireModel(request.candidate(), "--candidate", false);
        Optional<ModelInfo> candidateInfo = metadata(request.candidate());
        Optional<ModelInfo> referenceInfo = isTflite(request.reference()) ? metadata(request.reference()) : Optional.empty();

        ReferenceMemo memo = request.referenceMemo();
        // mlpack's importer reads a SavedModel reference for what its graph shows: a training-mode export, and the
        // preprocessing (the fallback when neither the request nor a model's metadata says). A replayed reference
        // was checked when it was recorded.
        SourceFacts facts = isTflite(request.reference()) || (memo != null && memo.model() != null) ? SourceFacts.UNKNOWN
                : SourceFacts.of(request.reference(), request.signature());
        Preprocess preprocess = request.preprocess() != null ? request.preprocess()
                : candidateInfo.map(ModelInfo::preprocessMode).or(() -> referenceInfo.map(ModelInfo::preprocessMode))
                        .or(() -> facts.preprocessing().map(PreprocessingInference.Evidence::mode))
                        .orElseThrow(() -> ConversionException.badInput("cannot tell how the models expect their pixels"
                                + " scaled: neither model records it and the reference's graph does not show it; pass"
                                + " --preprocess: " + PreprocessingChoice.choices()));
        Resize resize = request.resize() != null ? request.resize()
                : candidateInfo.map(ModelInfo::resizeMethod).or(() -> referenceInfo.map(ModelInfo::resizeMethod)).orElse(Resize.BILINEAR);
        List<String> labels;
        String labelsName;
        if (request.labels() != null) {
            labels = Dataset.readLabels(request.labels());
            labelsName = request.labels().toString();
        } else if (candidateInfo.isPresent() && !candidateInfo.get().labels().isEmpty()) {
            labels = candidateInfo.get().labels();
            labelsName = "the labels in the metadata of " + request.candidate();
        } else if (referenceInfo.isPresent() && !referenceInfo.get().labels().isEmpty()) {
            labels = referenceInfo.get().labels();
            labelsName = "the labels in the metadata of " + request.reference();
        } else {
            labels = null;
            labelsName = null;
        }

        // Cheap checks on the data before any model is loaded.
        Dataset dataset = Dataset.open(request.data(), labels, "DATA", labelsName);
        if (!dataset.labeled()) {
            throw ConversionException.badInput("DATA " + request.data() + " has no labels: evaluate needs class subfolders of"
                    + " images, or a CSV of path,label rows");
        }
        if (request.limit() > 0) dataset = dataset.sample(request.limit());

        ReferenceMemo.Key memoKey = memo == null ? null : new ReferenceMemo.Key(absolute(request.reference()), request.signature(),
                absolute(request.data()), request.limit(), preprocess.name(), resize.name(),
                request.labels() == null ? null : absolute(request.labels()), request.classifierOutput());
        boolean replay = memo != null && memo.covers(memoKey);
        if (memo != null && !replay) memo.startRecording(memoKey);
        ImageClassifier.Settings settings = ImageClassifier.Settings.DEFAULTS.withPreprocess(preprocess).withResize(resize)
                .withClassifierOutput(request.classifierOutput());
        if (request.labels() != null) settings = settings.withLabels(labels, "--labels " + request.labels());
        try (TfliteRunner candidate = TfliteRunner.open(request.candidate(), request.threads(), settings, "--candidate");
             Runner reference = replay ? MemoRunner.replaying(memo)
                     : MemoRunner.recordingInto(memo, isTflite(request.reference())
                             ? TfliteRunner.open(request.reference(), request.threads(), referenceSettings(settings, request, candidate), "--reference")
                             : SavedModelRunnerAdapter.open(request.reference(), request.signature(), request.classifierOutput(), candidate));
             // TensorFlow is loaded for a SavedModel reference anyway: its JPEG decoder is the faster one.
             TfJpegDecoder tfJpeg = isTflite(request.reference()) ? null : new TfJpegDecoder()) {
            if (reference.height() != candidate.height() || reference.width() != candidate.width()
                    || reference.channels() != candidate.channels()) {
                throw ConversionException.badInput("the models take different inputs: the reference " + request.reference()
                        + " takes " + describeInput(reference) + ", the candidate " + request.candidate() + " takes "
                        + describeInput(candidate) + "; compare models of the same input size");
            }
            if (reference.classes() != candidate.classes()) {
                throw ConversionException.badInput("the models score different numbers of classes: the reference's output '"
                        + reference.classifier().name() + "' " + reference.classes() + ", the candidate's '" + candidate.classifier().name()
                        + "' " + candidate.classes() + "; compare models of the same classes, or choose the output with --classifier-output NAME");
            }
            int classes = candidate.classes();
            if (labels != null && labels.size() != classes) {
                ClassifierOutput out = candidate.classifier();
                throw ConversionException.badInput(labelsName + " names " + labels.size() + " classes but the models score " + classes
                        + " (output '" + out.name() + "': " + out.describe() + "); "
                        + (out.binaryFromOneUnit() ? "give two names, class 0 then class 1" : "pass the labels file the model was trained with"));
            }
            if (labels == null) dataset = dataset.withIndexClasses(classes);
            List<String> classNames = dataset.classNames();
            if (labels == null && classNames.size() != classes) {
                throw ConversionException.badInput("DATA " + request.data() + " has " + classNames.size() + " classes but the models score "
                        + classes + ", and neither --labels nor the candidate's metadata names them: pass --labels");
            }
            ImageDecoder decoder = tfJpeg == null ? new ImageDecoder() : new ImageDecoder().withJpegBackend(tfJpeg);
            List<String> warnings = new ArrayList<>();
            if (facts.repairs().trainingModeExport()) warnings.add(trainingModeWarning(request.reference(), facts.repairs()));
            EvaluationReport report = run(request, dataset, classNames, reference, candidate, candidate.pipeline(), decoder, start,
                    warnings);
            if (reference instanceof MemoRunner memoRunner) memoRunner.finished();
            return report;
        }
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }

    /** A {@code .tflite} reference reads the output the candidate is scored on, when it has one of that name. */
    private static ImageClassifier.Settings referenceSettings(ImageClassifier.Settings settings, EvaluationRequest request,
                                                              TfliteRunner candidate) {
        if (request.classifierOutput() != null) return settings;
        String name = candidate.classifier().name();
        return TfliteRunner.hasOutput(request.reference(), name) ? settings.withClassifierOutput(name) : settings;
    }

    private static String describeInput(Runner r) {
        return r.height() + "x" + r.width() + (r.channels() == 1 ? " grayscale" : " RGB");
    }

    // ------------------------------------------------------------------ the loop

    private static EvaluationReport run(EvaluationRequest request, Dataset dataset, List<String> classNames, Runner reference,
                                        Runner candidate, ImagePipeline pipeline, ImageDecoder decoder, long start,
                                        List<String> warnings) {
        Preprocess preprocess = pipeline.preprocess();
        int classes = classNames.size();
        Tally ref = new Tally(classes, dataset.size());
        Tally cand = new Tally(classes, dataset.size());
        int[] classCount = new int[classes];
        double[] klSum = {0};
        int[] agree = {0};
        int[] n = {0};
        List<ImageResult> results = new ArrayList<>(dataset.size());
        // Decoded, converted to the input's channels and resized once; each model then normalises (or rounds) its copy.
        ImagePipeline resizeOnly = new ImagePipeline(pipeline.height(), pipeline.width(), pipeline.resize(), Preprocess.RAW,
                pipeline.channels());
        // Decoding uses every core whatever --threads says: no model runs while a chunk is decoded.
        ImageLoader loader = new ImageLoader(resizeOnly, decoder, Runtime.getRuntime().availableProcessors());
        List<Dataset.Sample> samples = dataset.samples();
        List<ImageLoader.Skipped> skipped = new ArrayList<>();
        boolean warmedUp = false; // on the first image that loads, whichever chunk it is in
        try (Task task = request.progress().start("Evaluating", samples.size(), "img")) {
            for (int from = 0; from < samples.size(); from += CHUNK) {
                // Phases, not interleaving: the chunk's images are decoded on all threads while no model runs, then
                // the candidate runs on all of them, then the reference. Decoding alongside a timed run would inflate
                // its latency, and alternating models image by image makes each start while the other's thread pool
                // is still spinning down (TensorFlow's spins for a while after a run), which slowed TFLite's
                // multi-threaded invoke() by 10x and more on 2 cores.
                List<Dataset.Sample> chunk = samples.subList(from, Math.min(samples.size(), from + CHUNK));
                List<Dataset.Sample> loaded = new ArrayList<>(chunk.size());
                List<float[]> resized = new ArrayList<>(chunk.size());
                skipped.addAll(loader.forEach(chunk, true, task, (index, sample, input) -> {
                    loaded.add(sample);
                    resized.add(input);
                }));
                if (!warmedUp && !loaded.isEmpty()) {
                    candidate.warmUp(resized.getFirst());
                    reference.warmUp(resized.getFirst());
                    warmedUp = true;
                }
                List<float[]> candidateScores = new ArrayList<>(loaded.size());
                double[] candidateMs = new double[loaded.size()];
                for (int i = 0; i < loaded.size(); i++) {
                    candidateScores.add(candidate.score(resized.get(i)));
                    candidateMs[i] = candidate.lastMillis();
                }
                for (int i = 0; i < loaded.size(); i++) {
                    float[] r = reference.score(loaded.get(i).file(), resized.get(i));
                    float[] c = candidateScores.get(i);
                    ref.latency.add(reference.lastMillis());
                    cand.latency.add(candidateMs[i]);
                    int label = loaded.get(i).label();
                    classCount[label]++;
                    int rTop = ref.add(r, label, request.topK());
                    int cTop = cand.add(c, label, request.topK());
                    if (rTop == cTop) agree[0]++;
                    results.add(new ImageResult(loaded.get(i).file().toString(), label, rTop, Metrics.toDistribution(r)[rTop], cTop,
                            Metrics.toDistribution(c)[cTop], reference.lastMillis(), candidateMs[i]));
                    klSum[0] += Metrics.klDivergence(r, c);
                    n[0]++;
                }
            }
        }
        if (skipped.size() > request.maxSkip()) {
            throw ConversionException.badInput(skipped.size() + " of " + dataset.size() + " images could not be read (first: "
                    + skipped.getFirst().message() + "); at most " + request.maxSkip() + " may be skipped: fix or remove them,"
                    + " or raise --max-skip");
        }
        if (n[0] == 0) {
            throw ConversionException.badInput("none of the " + dataset.size() + " images in DATA " + request.data() + " could be read");
        }
        List<ClassStats> perClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            if (classCount[k] == 0) continue;
            perClass.add(new ClassStats(classNames.get(k), k, classCount[k], (double) ref.classCorrect[k] / classCount[k],
                    (double) cand.classCorrect[k] / classCount[k]));
        }
        List<SkippedImage> skippedImages = skipped.stream().map(s -> new SkippedImage(s.sample().file().toString(), s.reason())).toList();
        int count = n[0];
        double chance = (double) java.util.Arrays.stream(classCount).max().orElse(0) / count;
        List<String> allWarnings = new ArrayList<>(warnings);
        for (var model : List.of(java.util.Map.entry("reference", ref), java.util.Map.entry("candidate", cand))) {
            if (Metrics.wilson95(model.getValue().top1, count)[0] <= chance) {
                allWarnings.add(chanceWarning(model.getKey(), (double) model.getValue().top1 / count, chance, preprocess, request));
            }
        }
        return new EvaluationReport(count, request.topK(), request.threads(), classNames,
                ref.stats(reference, preprocess, count, classNames), cand.stats(candidate, preprocess, count, classNames),
                (double) agree[0] / count, klSum[0] / count, perClass, skippedImages, Metrics.peakMemoryBytes(),
                (System.nanoTime() - start) / 1e9, results, allWarnings);
    }

    /**
     * A model whose top-1 is not clearly above chance (its 95% interval reaches the share of the most frequent class,
     * what always answering that class scores) is almost always fed wrongly, not badly trained.
     */
    static String chanceWarning(String model, double top1, double chance, Preprocess preprocess, EvaluationRequest request) {
        return String.format(Locale.ROOT, "the %s scores %.1f%% top-1, no better than chance (%.1f%%, always answering the most"
                + " frequent class) on %s. The usual causes: the preprocessing (this run used --preprocess %s: is that what"
                + " the model was trained with?), a SavedModel exported with BatchNormalization in training mode, or labels"
                + " in another order than the model's outputs (--labels: line i names output i)", model, 100 * top1,
                100 * chance, request.data(), preprocess.kerasName());
    }

    static String trainingModeWarning(Path reference, ImportRepairs repairs) {
        List<String> layers = new ArrayList<>(repairs.movingStatistics());
        layers.addAll(repairs.keptBatchStatistics());
        return "the reference " + reference + " is a training-mode export: " + String.join(", ", layers) + " normalise each"
                + " image by its own statistics, so run one image at a time it does not give what model.predict gives and"
                + " its figures here are not your model's; mlpack optimize converts those layers with their moving"
                + " statistics, as model.predict does";
    }

    /** Counts of one model. */
    private static final class Tally {
        final int[][] confusion;
        final int[] classCorrect;
        final List<Double> latency;
        int top1;
        int topK;

        Tally(int classes, int images) {
            confusion = new int[classes][classes];
            classCorrect = new int[classes];
            latency = new ArrayList<>(images);
        }

        /** Records one image; returns the top-1 class. */
        int add(float[] scores, int label, int k) {
            int top = Metrics.argmax(scores);
            if (top == label) {
                top1++;
                classCorrect[label]++;
            }
            if (Metrics.inTopK(scores, label, k)) topK++;
            if (top < confusion.length) confusion[label][top]++;
            return top;
        }

        ModelStats stats(Runner runner, Preprocess preprocess, int n, List<String> names) {
            double[] ms = latency.stream().mapToDouble(Double::doubleValue).toArray();
            List<ConfusedPair> pairs = new ArrayList<>();
            for (int a = 0; a < confusion.length; a++) {
                for (int p = 0; p < confusion.length; p++) {
                    if (a != p && confusion[a][p] > 0) pairs.add(new ConfusedPair(names.get(a), names.get(p), confusion[a][p]));
                }
            }
            pairs.sort(Comparator.comparingInt(ConfusedPair::count).reversed()); // stable: index order on ties
            String input = runner.wantsPixels() ? runner.input() : runner.input() + " (" + preprocess.kerasName() + ")";
            return new ModelStats(runner.path().toString(), runner.format(), input, runner.bytes(), top1, topK,
                    (double) top1 / n, (double) topK / n, Metrics.wilson95(top1, n), Metrics.wilson95(topK, n),
                    Metrics.percentile(ms, 50), Metrics.percentile(ms, 95), pairs.stream().limit(CONFUSED_PAIRS).toList());
        }
    }

    // ------------------------------------------------------------------ models

    /** One model being evaluated. Not thread-safe. */
    private interface Runner extends AutoCloseable {
        Path path();

        String format();

        /** What the model is fed, for the report. */
        String input();

        long bytes();

        int height();

        int width();

        /** 3 (RGB) or 1 (grayscale). */
        int channels();

        /** The output the model is scored on, and how its values become probabilities. */
        ClassifierOutput classifier();

        /** The number of classes scored. */
        default int classes() {
            return classifier().classes();
        }

        /** Whether the model takes raw uint8 pixels rather than preprocessed floats. */
        boolean wantsPixels();

        /**
         * Runs the model on one image, given resized to its input (0..255, in its channels, not normalised); returns
         * its class probabilities.
         */
        float[] score(float[] resized);

        /** {@link #score(float[])} for the image read from {@code image}, which a memo keys its answers by. */
        default float[] score(Path image, float[] resized) {
            return score(resized);
        }

        /** Untimed runs on one image before timing starts: the first runs allocate and tune. */
        default void warmUp(float[] resized) {
            for (int w = 0; w < WARMUP; w++) score(resized);
        }

        /** The time of the last {@link #score} call's invoke/run alone. */
        double lastMillis();

        @Override
        void close();
    }

    /** A {@code .tflite} run as every mlpack command runs it: through {@link ImageClassifier}. */
    private static final class TfliteRunner implements Runner {
        private final Path path;
        private final ImageClassifier classifier;
        private final ImageClassifier.Runner runner;
        private final String input;
        private double last;

        private TfliteRunner(Path path, ImageClassifier classifier, ImageClassifier.Runner runner) {
            this.path = path;
            this.classifier = classifier;
            this.runner = runner;
            this.input = classifier.takesRawPixels() ? "uint8 pixels" : classifier.input().type().name().toLowerCase(Locale.ROOT);
        }

        /**
         * Loads a {@code .tflite} to evaluate; {@code option} names it in messages.
         *
         * @throws ConversionException (bad input) for a file that is not a model mlpack can evaluate, or whose classifier
         *     output is not clear
         */
        static TfliteRunner open(Path path, int threads, ImageClassifier.Settings settings, String option) {
            ImageClassifier classifier;
            try {
                classifier = ImageClassifier.load(path, settings);
            } catch (IOException e) {
                throw ConversionException.badInput("cannot read " + path + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw ConversionException.badInput(named(option, path, e));
            } catch (RuntimeException e) {
                throw ConversionException.badInput(path + " is not a valid TFLite model: " + firstLine(e));
            }
            try {
                classifier.choice().requireClear();
                return new TfliteRunner(path, classifier, classifier.newRunner(InterpreterOptions.defaults().withThreads(threads)));
            } catch (IllegalArgumentException e) {
                classifier.close();
                throw ConversionException.badInput(named(option, path, e));
            } catch (RuntimeException e) {
                classifier.close();
                throw ConversionException.badInput("TFLite cannot run " + path + ": " + firstLine(e));
            }
        }

        /** {@code --candidate PATH: reason}, without naming the path twice. */
        private static String named(String option, Path path, RuntimeException e) {
            String reason = firstLine(e);
            return option + " " + (reason.startsWith(path.toString()) ? reason : path + ": " + reason);
        }

        /** Whether the {@code .tflite} at {@code path} has an output named {@code name} (false when it cannot be read). */
        static boolean hasOutput(Path path, String name) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
                return TfliteGraph.read(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size())).outputs().stream()
                        .anyMatch(o -> o.name().equals(name));
            } catch (IOException | RuntimeException e) {
                return false; // opening it reports the problem
            }
        }

        ImagePipeline pipeline() { return classifier.pipeline(); }

        @Override public Path path() { return path; }

        @Override public String format() { return "tflite"; }

        @Override public String input() { return input; }

        @Override public long bytes() { return fileSize(path); }

        @Override public int height() { return classifier.pipeline().height(); }

        @Override public int width() { return classifier.pipeline().width(); }

        @Override public int channels() { return classifier.pipeline().channels(); }

        @Override public ClassifierOutput classifier() { return classifier.output(); }

        @Override public boolean wantsPixels() { return classifier.takesRawPixels(); }

        @Override
        public float[] score(float[] resized) {
            runner.feedResized(resized);
            long t0 = System.nanoTime();
            runner.invoke();
            last = (System.nanoTime() - t0) / 1e6;
            return runner.probabilities();
        }

        @Override public double lastMillis() { return last; }

        @Override
        public void close() {
            runner.close();
            classifier.close();
        }
    }

    /**
     * The reference seen through a {@link ReferenceMemo}: either a real runner whose answers are recorded, or the
     * recording played back without the model. Without a memo, the real runner itself.
     */
    private static final class MemoRunner implements Runner {
        private final ReferenceMemo memo;
        private final Runner recorded; // null when replaying
        private final ReferenceMemo.Model model; // the reference's description, recorded or replayed
        private double last;

        private MemoRunner(ReferenceMemo memo, Runner recorded, ReferenceMemo.Model model) {
            this.memo = memo;
            this.recorded = recorded;
            this.model = model;
        }

        static Runner recordingInto(ReferenceMemo memo, Runner runner) {
            return memo == null ? runner : new MemoRunner(memo, runner, new ReferenceMemo.Model(runner.path(), runner.format(),
                    runner.input(), runner.bytes(), runner.height(), runner.width(), runner.channels(), runner.classifier(),
                    runner.wantsPixels()));
        }

        static Runner replaying(ReferenceMemo memo) {
            return new MemoRunner(memo, null, memo.model());
        }

        /** After an evaluation that scored every image: the recording is whole, or the replay is counted. */
        void finished() {
            if (recorded != null) memo.complete(model);
            else memo.countReplay();
        }

        @Override public Path path() { return model.path(); }

        @Override public String format() { return model.format(); }

        @Override public String input() { return model.input(); }

        @Override public long bytes() { return model.bytes(); }

        @Override public int height() { return model.height(); }

        @Override public int width() { return model.width(); }

        @Override public int channels() { return model.channels(); }

        @Override public ClassifierOutput classifier() { return model.classifier(); }

        @Override public boolean wantsPixels() { return model.wantsPixels(); }

        @Override
        public float[] score(float[] resized) {
            if (recorded == null) throw new IllegalStateException("a replayed reference answers by image file only");
            float[] scores = recorded.score(resized);
            last = recorded.lastMillis();
            return scores;
        }

        @Override
        public float[] score(Path image, float[] resized) {
            if (recorded != null) {
                float[] scores = score(resized);
                memo.record(image, scores, last);
                return scores;
            }
            ReferenceMemo.Answer a = memo.answer(image);
            last = a.millis();
            return a.scores().clone();
        }

        @Override
        public void warmUp(float[] resized) {
            if (recorded != null) recorded.warmUp(resized);
        }

        @Override public double lastMillis() { return last; }

        @Override
        public void close() {
            if (recorded != null) recorded.close();
        }
    }

    /**
     * The SavedModel reference, fed the candidate's pipeline (same size, channels and preprocessing) and scored on the
     * signature output that is the candidate's classifier, with the candidate's activation: the candidate is that
     * model converted, and mlpack keeps its outputs as they are.
     */
    private static final class SavedModelRunnerAdapter implements Runner {
        private final Path path;
        private final SavedModelRunner runner;
        private final ImagePipeline pipeline;
        private final ClassifierOutput classifier;
        private double last;

        private SavedModelRunnerAdapter(Path path, SavedModelRunner runner, ImagePipeline pipeline, ClassifierOutput classifier) {
            this.path = path;
            this.runner = runner;
            this.pipeline = pipeline;
            this.classifier = classifier;
        }

        /**
         * Opens a SavedModel; dimensions its signature leaves open are taken from {@code like}, and its classifier output
         * is {@code requested}, else the output named as {@code like}'s classifier, else the default rule.
         */
        static SavedModelRunnerAdapter open(Path dir, String signature, String requested, TfliteRunner like) {
            SavedModelInfo info = SavedModelImporter.describe(dir);
            SavedModelInfo.Signature sig = info.signatures().get(signature);
            if (sig == null) {
                throw ConversionException.badInput("the SavedModel " + dir + " has no signature '" + signature + "'; it has "
                        + String.join(", ", info.signatures().keySet()));
            }
            if (sig.inputs().size() != 1) {
                throw ConversionException.badInput("the signature '" + signature + "' of " + dir + " has " + sig.inputs().size()
                        + " inputs; evaluate handles image classifiers with one input");
            }
            long[] in = dims(sig.inputs().values().iterator().next().shape());
            if (in.length != 4 || (in[3] != 3 && in[3] != 1 && in[3] != -1)) {
                throw ConversionException.badInput("the SavedModel " + dir + " does not take [N, H, W, 3] or [N, H, W, 1] images (input"
                        + " shape " + sig.inputs().values().iterator().next().shape() + ")");
            }
            ImagePipeline p = like.pipeline();
            int h = in[1] > 0 ? (int) in[1] : p.height();
            int w = in[2] > 0 ? (int) in[2] : p.width();
            int c = in[3] > 0 ? (int) in[3] : p.channels();
            ImagePipeline pipeline;
            try {
                pipeline = new ImagePipeline(h, w, p.resize(), p.preprocess(), c);
            } catch (IllegalArgumentException e) {
                throw ConversionException.badInput("the SavedModel " + dir + ": " + e.getMessage());
            }
            ClassifierOutput classifier = classifierOutput(dir, sig, requested, like.classifier());
            return new SavedModelRunnerAdapter(dir, SavedModelRunner.load(dir, signature, classifier.name()), pipeline, classifier);
        }

        private static ClassifierOutput classifierOutput(Path dir, SavedModelInfo.Signature sig, String requested, ClassifierOutput like) {
            List<String> keys = List.copyOf(sig.outputs().keySet());
            List<OutputCandidate> candidates = new ArrayList<>();
            for (Map.Entry<String, SavedModelInfo.Tensor> e : sig.outputs().entrySet()) {
                long[] d = dims(e.getValue().shape());
                int known = OutputCandidate.unitsOf(java.util.Arrays.stream(d).mapToInt(x -> (int) x).toArray());
                int units = known > 0 ? known : like.units();
                // The signature does not say what computed an output; the candidate's classifier says it for its own.
                candidates.add(new OutputCandidate(e.getKey(), units, e.getKey().equals(like.name()) ? like.activation()
                        : OutputActivation.NONE));
            }
            String name = requested != null ? requested : keys.contains(like.name()) ? like.name() : null;
            try {
                ClassifierOutput chosen = OutputChoice.choose(candidates, name, like.classes()).requireClear().output();
                return new ClassifierOutput(chosen.name(), chosen.index(), chosen.units(), like.activation());
            } catch (IllegalArgumentException e) {
                throw ConversionException.badInput("the SavedModel " + dir + ": " + e.getMessage());
            }
        }

        /** "[?, 32, 32, 3]" as {-1, 32, 32, 3}. */
        private static long[] dims(String shape) {
            String inner = shape.replace("[", "").replace("]", "").trim();
            if (inner.isEmpty()) return new long[0];
            return Stream.of(inner.split(",")).map(String::trim).mapToLong(d -> d.equals("?") ? -1 : Long.parseLong(d)).toArray();
        }

        @Override public Path path() { return path; }

        @Override public String format() { return "saved_model"; }

        @Override public String input() { return "float32"; }

        @Override public long bytes() { return folderSize(path); }

        @Override public int height() { return pipeline.height(); }

        @Override public int width() { return pipeline.width(); }

        @Override public int channels() { return pipeline.channels(); }

        @Override public ClassifierOutput classifier() { return classifier; }

        @Override public boolean wantsPixels() { return false; }

        @Override
        public float[] score(float[] resized) {
            float[] floats = pipeline.normalize(resized.clone());
            long t0 = System.nanoTime();
            float[] raw = runner.run(floats, 1, pipeline.height(), pipeline.width(), pipeline.channels());
            last = (System.nanoTime() - t0) / 1e6;
            if (raw.length != classifier.units()) {
                throw ConversionException.badInput("the SavedModel " + path + "'s output '" + classifier.name() + "' gave " + raw.length
                        + " values for one image, the candidate's " + classifier.units() + "; compare models of the same classes");
            }
            return classifier.probabilities(raw);
        }

        @Override public double lastMillis() { return last; }

        @Override
        public void close() { runner.close(); }
    }

    // ------------------------------------------------------------------ helpers

    private static boolean isTflite(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tflite");
    }

    private static void requireModel(Path p, String option, boolean savedModelAllowed) {
        if (!Files.exists(p)) {
            throw ConversionException.badInput(option + " " + p + " does not exist: check the path");
        }
        if (Files.isDirectory(p)) {
            if (!savedModelAllowed) {
                throw ConversionException.badInput(option + " " + p + " is a folder: pass a .tflite file");
            }
            if (!Files.isRegularFile(p.resolve("saved_model.pb"))) {
                throw ConversionException.badInput(option + " " + p + " has no saved_model.pb: pass a SavedModel folder or a .tflite file");
            }
            return;
        }
        if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tflite")) {
            throw ConversionException.badInput(option + " " + p + " is neither a SavedModel folder nor a .tflite file");
        }
    }

    private static Optional<ModelInfo> metadata(Path tflite) {
        try {
            return ModelInfo.read(tflite);
        } catch (IOException e) {
            throw ConversionException.badInput("cannot read " + tflite + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw ConversionException.badInput("the mlpack metadata of " + tflite + " is unreadable: " + firstLine(e));
        }
    }

    static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    static long folderSize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(Evaluator::fileSize).sum();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String firstLine(Throwable e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
    }
}
