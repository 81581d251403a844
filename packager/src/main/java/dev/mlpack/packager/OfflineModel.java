package dev.mlpack.packager;

import dev.mlpack.runtime.classifier.ImageClassifier;
import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The model run in-process, as the server runs it: the same {@link ImageClassifier} (how an image is fed, which
 * output is scored and how it becomes class probabilities) and the same interpreter options. The self-check compares
 * the server's answers with this.
 */
final class OfflineModel implements AutoCloseable {
    private final ImageClassifier classifier;
    private final ImageClassifier.Runner runner;
    private final ImageDecoder decoder = new ImageDecoder();

    OfflineModel(Path tflite) {
        try {
            classifier = ImageClassifier.load(tflite, ImageClassifier.Settings.DEFAULTS);
        } catch (IOException e) {
            throw PackageException.failed("cannot load " + tflite + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw PackageException.badInput(e.getMessage());
        }
        try {
            runner = classifier.newRunner(InterpreterOptions.defaults());
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /** The index of the highest class probability for {@code image}. */
    int top1(Path image) throws ImageDecodeException {
        float[] scores = runner.classify(decoder.decode(image));
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    @Override
    public void close() {
        runner.close();
        classifier.close();
    }
}
