package dev.mlpack.optimizer.eval;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The reference model's answers from one evaluation, kept for the next evaluations of other candidates against the
 * same reference on the same data. A budget search evaluates a dozen candidates; the reference (a SavedModel in
 * TensorFlow) gives the same scores every time, and loading and running it was most of each trial's evaluation.
 *
 * <p>Pass the same memo in every {@link EvaluationRequest}. The first evaluation runs the reference and records,
 * for each image, its scores and run time; a later one whose reference, data and image preparation are the same
 * replays them without loading the reference at all (its report then repeats the recorded latency). Any difference
 * in those settings starts a new recording. Not thread-safe: one search, one memo.
 */
public final class ReferenceMemo {
    /** The settings the answers hold for: anything that could change what the reference sees or says. */
    record Key(Path reference, String signature, Path data, int limit, String preprocess, String resize, Path labels,
               String classifierOutput) {}

    /** What the reference answered for one image. */
    record Answer(float[] scores, double millis) {}

    /** The recorded reference's description, for the input checks, the class count and the report. */
    record Model(Path path, String format, String input, long bytes, int height, int width, int channels,
                 dev.mlpack.runtime.classifier.ClassifierOutput classifier, boolean wantsPixels) {}

    private Key key;
    private Model model;
    private final Map<Path, Answer> answers = new HashMap<>();
    private int replays;

    /** True when a complete earlier recording holds for {@code k}. */
    boolean covers(Key k) {
        return model != null && k.equals(key);
    }

    /** Forgets what was recorded and starts recording for {@code k}; {@link #complete} makes it usable. */
    void startRecording(Key k) {
        key = Objects.requireNonNull(k);
        model = null;
        answers.clear();
    }

    void record(Path image, float[] scores, double millis) {
        answers.put(image, new Answer(scores.clone(), millis));
    }

    /** Marks the recording as whole: every image the evaluation scored is in it. */
    void complete(Model m) {
        model = m;
    }

    Model model() {
        return model;
    }

    /** The recorded answer for {@code image}; a replay only asks for images the recording scored. */
    Answer answer(Path image) {
        Answer a = answers.get(image);
        if (a == null) throw new IllegalStateException("the reference memo has no answer for " + image);
        return a;
    }

    void countReplay() {
        replays++;
    }

    /** How many evaluations replayed the recording instead of running the reference (for tests and logs). */
    public int replays() {
        return replays;
    }
}
