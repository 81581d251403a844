package dev.mlpack.runtime.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.image.GrayImage;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;

/** One place decides how an image is fed and how outputs become scores; these are its rules, run in TFLite. */
class ImageClassifierTest {

    static final ImageClassifier.Settings DEFAULTS = ImageClassifier.Settings.DEFAULTS;
    /** Models without metadata: what a server is told with --preprocess raw. */
    private static final ImageClassifier.Settings RAW = DEFAULTS.withPreprocess(Preprocess.RAW);

    /** A 1x1 RGB image. */
    static RgbImage pixel(int r, int g, int b) {
        return new RgbImage(1, 1, new byte[] {(byte) r, (byte) g, (byte) b});
    }

    static float sigmoid(double x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    @Test
    void aGrayscaleSigmoidModelIsFedTheLumaAndScoredAsTwoClasses() {
        // [1,1,1,1] float input -> LOGISTIC: P(class 1) = sigmoid(preprocessed luma)
        byte[] model = TinyGraphs.input(1, 1, 1, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true);
        try (ImageClassifier c = ImageClassifier.fromBytes(model, "tiny", DEFAULTS.withPreprocess(Preprocess.TF));
             ImageClassifier.Runner r = c.newRunner(InterpreterOptions.defaults())) {
            assertTrue(c.pipeline().grayscale());
            assertEquals(Preprocess.TF, c.pipeline().preprocess());
            assertFalse(c.hasMetadata());
            assertEquals(new ClassifierOutput("output_0", 0, 1, OutputActivation.SIGMOID), c.output());
            assertEquals(List.of("0", "1"), c.classNames());
            RgbImage red = pixel(200, 40, 10);
            int luma = GrayImage.luma(red).sample(0, 0); // PIL: (200*19595 + 40*38470 + 10*7471 + 0x8000) >> 16 = 84
            assertEquals(84, luma);
            float p = sigmoid(luma / 127.5f - 1f);
            assertArrayEquals(new float[] {1 - p, p}, r.classify(red), 1e-6f);
            assertArrayEquals(new float[] {p}, r.outputs().getFirst(), 1e-6f, "the raw output is the model's own");
        }
    }

    @Test
    void metadataGivesPreprocessingLabelsAndTheClassifierOutput() {
        ModelInfo info = ModelInfo.builder().preprocess("raw").labels(List.of("cat", "dog", "bird"))
                .classifierOutput("aux", OutputActivation.NONE).build();
        byte[] model = TinyGraphs.input(1, 1, 1, 3)
                .output("probs", BuiltinOperator.SOFTMAX)
                .output("aux", BuiltinOperator.RELU)
                .metadata(info.toJsonBytes()).bytes(true);
        try (ImageClassifier c = ImageClassifier.fromBytes(model, "tiny", DEFAULTS);
             ImageClassifier.Runner r = c.newRunner(InterpreterOptions.defaults())) {
            assertEquals(OutputChoice.Reason.RECORDED, c.choice().reason());
            assertEquals(new ClassifierOutput("aux", 1, 3, OutputActivation.NONE), c.output());
            assertEquals(List.of("cat", "dog", "bird"), c.classNames());
            assertEquals("dog", c.label(1));
            // raw pixels 1, 2, 3 through ReLU are logits: mlpack scores their softmax
            float[] p = r.classify(pixel(1, 2, 3));
            double s = Math.exp(1) + Math.exp(2) + Math.exp(3);
            assertArrayEquals(new float[] {(float) (Math.exp(1) / s), (float) (Math.exp(2) / s), (float) (Math.exp(3) / s)}, p, 1e-6f);
            assertEquals(2, r.outputs().size(), "every output stays readable");
        }
    }

    @Test
    void withoutRecordsTheDefaultRuleChoosesAndAnOverrideWins() {
        byte[] model = TinyGraphs.input(1, 1, 1, 3)
                .output("is_top", BuiltinOperator.LOGISTIC)
                .output("probs", BuiltinOperator.SOFTMAX).bytes(true);
        try (ImageClassifier c = ImageClassifier.fromBytes(model, "tiny", RAW)) {
            assertEquals("probs", c.output().name());
            assertEquals(OutputChoice.Reason.ONLY_SOFTMAX, c.choice().reason());
            assertEquals("probs", c.info().classifierOutput(), "the resolved choice is in the info");
        }
        try (ImageClassifier c = ImageClassifier.fromBytes(model, "tiny", RAW.withClassifierOutput("is_top"))) {
            assertEquals(new ClassifierOutput("is_top", 0, 3, OutputActivation.SIGMOID), c.output());
        }
    }

    @Test
    void aModelWithoutMetadataNeedsItsPreprocessingGiven() {
        byte[] model = TinyGraphs.input(1, 1, 1, 3).output("probs", BuiltinOperator.SOFTMAX).bytes(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageClassifier.fromBytes(model, "tiny", DEFAULTS));
        assertTrue(e.getMessage().contains("no mlpack metadata") && e.getMessage().contains("--preprocess"), e.getMessage());
    }

    @Test
    void labelsMustMatchTheClassesScored() {
        byte[] model = TinyGraphs.input(1, 1, 1, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageClassifier.fromBytes(model, "tiny",
                RAW.withLabels(List.of("dog"), "--labels dog.txt")));
        assertEquals("--labels dog.txt names 1 class but the classifier output 'output_0' scores 2 (1 unit, sigmoid: scored as two"
                + " classes [1-p, p]); give two names, class 0 then class 1", e.getMessage());
        try (ImageClassifier c = ImageClassifier.fromBytes(model, "tiny", RAW.withLabels(List.of("cat", "dog"), "--labels"))) {
            assertEquals(List.of("cat", "dog"), c.classNames());
        }
    }

    @Test
    void aThreeChannelPreprocessingIsRefusedForAGrayscaleModel() {
        byte[] model = TinyGraphs.input(1, 1, 1, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageClassifier.fromBytes(model, "tiny", DEFAULTS.withPreprocess(Preprocess.CAFFE)));
        assertTrue(e.getMessage().contains("grayscale"), e.getMessage());
    }

    @Test
    void loadingWithRunnersOnTwoThreadsGivesWhatLoadingAndNewRunnerGive(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.tflite");
        Files.write(file, TinyGraphs.input(1, 1, 1, 1).output("output_0", BuiltinOperator.LOGISTIC).bytes(true));
        ImageClassifier.Settings tf = DEFAULTS.withPreprocess(Preprocess.TF);
        ImageClassifier.Loaded loaded = ImageClassifier.loadWithRunners(file, tf, InterpreterOptions.defaults(), 2);
        try (ImageClassifier c = loaded.classifier(); ImageClassifier one = ImageClassifier.load(file, tf);
             ImageClassifier.Runner reference = one.newRunner(InterpreterOptions.defaults())) {
            assertEquals(2, loaded.runners().size());
            assertEquals(one.output(), c.output());
            for (ImageClassifier.Runner r : loaded.runners()) {
                assertArrayEquals(reference.classify(pixel(200, 40, 10)), r.classify(pixel(200, 40, 10)));
                r.close();
            }
        }
        // The description's one-line reason wins over whatever the native side meets; nothing built is left open.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageClassifier.loadWithRunners(file, DEFAULTS.withPreprocess(Preprocess.CAFFE), InterpreterOptions.defaults(), 1));
        assertTrue(e.getMessage().contains("grayscale"), e.getMessage());
        Path garbage = Files.write(dir.resolve("garbage.tflite"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        e = assertThrows(IllegalArgumentException.class, () -> ImageClassifier.loadWithRunners(garbage, tf, InterpreterOptions.defaults(), 1));
        assertTrue(e.getMessage().contains("not a TFLite model"), e.getMessage());
    }

    @Test
    void onlyImageInputsAreServed() {
        byte[] notAnImage = TinyGraphs.input(1, 10).output("output_0", BuiltinOperator.SOFTMAX).bytes(true);
        assertThrows(IllegalArgumentException.class, () -> ImageClassifier.fromBytes(notAnImage, "tiny", DEFAULTS));
    }
}
