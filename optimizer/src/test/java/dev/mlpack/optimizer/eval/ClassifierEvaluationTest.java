package dev.mlpack.optimizer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.optimizer.testing.TinyClassifiers;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate scores both models on the classifier output's class probabilities: one sigmoid unit as two classes (with any
 * form of labels), the SavedModel's output that the candidate is scored on, and grayscale models fed their luma.
 */
class ClassifierEvaluationTest {
    @TempDir static Path tmp;
    static List<Path> images;

    @BeforeAll
    static void pickImages() throws IOException {
        images = new ArrayList<>();
        for (String c : List.of("Bag", "Coat", "Sandal", "Shirt")) {
            try (var s = Files.list(Samples.root().resolve("images").resolve(c))) {
                images.addAll(s.sorted().limit(3).toList());
            }
        }
    }

    /** A CSV of the images labelled by {@code label(i)}. */
    static Path csv(String name, java.util.function.IntFunction<String> label) throws IOException {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) rows.add(images.get(i) + "," + label.apply(i));
        return Files.write(tmp.resolve(name + ".csv"), rows);
    }

    static Path convert(String name, ConversionRequest.Builder options) {
        Path out = tmp.resolve(name + ".tflite");
        Converter.convert(options.preprocess(Preprocess.TF).build().withOutput(out));
        return out;
    }

    @Test
    void aSingleSigmoidUnitIsEvaluatedAsTwoClassesWithEveryFormOfLabels() throws IOException {
        Path model = TinyClassifiers.single(tmp.resolve("sigmoid"), 3, TinyClassifiers.sigmoid(3, 1));
        Path candidate = convert("sigmoid", ConversionRequest.builder(model, tmp.resolve("x")));
        Path names = Files.write(tmp.resolve("two.txt"), List.of("other", "top"));
        Path zeroOne = csv("zero-one", i -> Integer.toString(i % 2));
        Path named = csv("named", i -> i % 2 == 0 ? "other" : "top");
        for (EvaluationRequest request : List.of(
                EvaluationRequest.builder(model, candidate, zeroOne).threads(1).build(), // no labels: classes 0 and 1
                EvaluationRequest.builder(model, candidate, named).labels(names).threads(1).build())) {
            EvaluationReport r = Evaluator.evaluate(request);
            assertEquals(images.size(), r.n());
            assertEquals(2, r.labels().size());
            assertEquals(1.0, r.agreementTop1(), "the float model agrees with its SavedModel");
            assertTrue(r.meanKl() < 1e-6, String.valueOf(r.meanKl()));
            assertEquals(r.reference().top1(), r.candidate().top1(), "both read the same two classes");
        }
        Path one = Files.write(tmp.resolve("one.txt"), List.of("top"));
        ConversionException e = assertThrows(ConversionException.class, () -> Evaluator.evaluate(
                EvaluationRequest.builder(model, candidate, csv("tops", i -> "top")).labels(one).threads(1).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("give two names, class 0 then class 1"), e.getMessage());
    }

    @Test
    void theSavedModelIsReadAtTheOutputTheCandidateIsScoredOn() throws IOException {
        // "a_is_top" (one sigmoid unit) comes first; the classifier is "b_classes". Reading the SavedModel's first output
        // used to end in "internal error: distributions differ in length".
        Path model = TinyClassifiers.outputs(tmp.resolve("two-heads"),
                Map.of("a_is_top", TinyClassifiers.sigmoid(3, 1), "b_classes", TinyClassifiers.softmax(3, 3)));
        Path candidate = convert("two-heads", ConversionRequest.builder(model, tmp.resolve("x")));
        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(model, candidate, csv("three", i -> Integer.toString(i % 3)))
                .threads(1).build());
        assertEquals(3, r.labels().size());
        assertEquals(1.0, r.agreementTop1());

        // --classifier-output scores both on the other head, even when the candidate's metadata records another
        EvaluationReport head = Evaluator.evaluate(EvaluationRequest.builder(model, candidate, csv("binary", i -> Integer.toString(i % 2)))
                .classifierOutput("a_is_top").threads(1).build());
        assertEquals(2, head.labels().size());
        assertEquals(1.0, head.agreementTop1());
    }

    @Test
    void aGrayscaleInt8ModelIsEvaluatedOnTheImagesLuma() throws IOException {
        Path model = TinyClassifiers.single(tmp.resolve("gray"), 1, TinyClassifiers.softmax(1, 3));
        ImagePipeline pipeline = new ImagePipeline(4, 4, Resize.BILINEAR, Preprocess.TF, 1);
        Path candidate = convert("gray-int8", ConversionRequest.builder(model, tmp.resolve("x")).quantize(Quantize.INT8)
                .calibrationSet(CalibrationSet.load(Samples.root().resolve("images"), 30, pipeline, Progress.none())));
        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(model, candidate, csv("gray", i -> Integer.toString(i % 3)))
                .threads(1).build());
        assertEquals("uint8 pixels", r.candidate().input());
        assertTrue(r.agreementTop1() >= 0.9, String.valueOf(r.agreementTop1()));
        assertTrue(r.meanKl() < 0.01, String.valueOf(r.meanKl()));
    }
}
