package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.optimizer.testing.TinyClassifiers;
import dev.mlpack.runtime.classifier.ClassifierOutput;
import dev.mlpack.runtime.classifier.ImageClassifier;
import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.classifier.TfliteGraph;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * optimize finds the classifier output (one sigmoid unit, logits, several outputs) and records it with its activation,
 * and converts grayscale models, on SavedModels built with TF Java.
 */
class ClassifierOutputsTest {
    @TempDir static Path tmp;
    static Path sigmoid;
    static Path twoHeads;
    static Path twoLabels;

    @BeforeAll
    static void models() throws IOException {
        sigmoid = TinyClassifiers.single(tmp.resolve("sigmoid"), 3, TinyClassifiers.sigmoid(3, 1));
        // The classifier is not the first output: "a_is_top" sorts before "b_classes".
        twoHeads = TinyClassifiers.outputs(tmp.resolve("two-heads"),
                Map.of("a_is_top", TinyClassifiers.sigmoid(3, 1), "b_classes", TinyClassifiers.softmax(3, 3)));
        twoLabels = Files.write(tmp.resolve("two.txt"), List.of("other", "top"));
    }

    static ConversionResult convert(String name, ConversionRequest.Builder options) {
        return Converter.convert(options.build().withOutput(tmp.resolve(name + ".tflite")));
    }

    static ConversionRequest.Builder request(Path model) {
        return ConversionRequest.builder(model, tmp.resolve("unused.tflite")).preprocess(Preprocess.TF);
    }

    static ModelInfo metadata(Path tflite) throws IOException {
        return ModelInfo.read(tflite).orElseThrow();
    }

    static List<float[]> calibration(int channels) {
        Random random = new Random(7);
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            float[] x = new float[4 * 4 * channels];
            for (int j = 0; j < x.length; j++) x[j] = random.nextFloat() * 2 - 1;
            inputs.add(x);
        }
        return inputs;
    }

    @Test
    void aSingleSigmoidUnitScoresTwoClassesAndTakesTwoLabels() throws IOException {
        ConversionResult r = convert("sigmoid", request(sigmoid).labels(twoLabels));
        assertEquals(new ClassifierOutput("output_0", 0, 1, OutputActivation.SIGMOID), r.classifier());
        ModelInfo info = metadata(r.output());
        assertEquals(List.of("other", "top"), info.labels());
        assertEquals("output_0", info.classifierOutput());
        assertEquals("sigmoid", info.outputActivation());
        assertTrue(info.description().endsWith("classifier output 'output_0': 1 unit, sigmoid: scored as two classes [1-p, p]"),
                info.description());

        Path one = Files.write(tmp.resolve("one.txt"), List.of("top"));
        ConversionException e = assertThrows(ConversionException.class, () -> convert("one-label", request(sigmoid).labels(one)));
        assertEquals(2, e.kind().exitCode());
        assertEquals(one + " has 1 name but the classifier output 'output_0' is 1 unit, sigmoid: scored as two classes [1-p, p]:"
                + " give two names, class 0 (p < 0.5) then class 1", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("one-label.tflite")), "no output on a refusal");
    }

    @Test
    void autoCalibrationComparesTheTwoClassProbabilitiesOfASigmoidUnit() {
        ConversionResult r = convert("sigmoid-int8", request(sigmoid).quantize(Quantize.INT8)
                .calibrationSet(CalibrationSet.of(calibration(3))));
        // Compared raw, one unit normalised to a distribution is always [1]: every method scored 0 and nothing was compared.
        r.calibration().candidateMeanKl().forEach((method, kl) -> assertTrue(kl > 0, method + " scored " + kl));
    }

    @Test
    void logitsAreKeptAndRecordedSoThatMlpackScoresTheirSoftmax() throws IOException {
        Path logits = TinyClassifiers.single(tmp.resolve("logits"), 3, TinyClassifiers.logits(3, 4));
        ConversionResult r = convert("logits", request(logits));
        assertEquals(OutputActivation.NONE, r.classifier().activation());
        ModelInfo info = metadata(r.output());
        assertEquals("none", info.outputActivation());
        assertTrue(info.description().endsWith("4 logits: mlpack applies softmax to score them"), info.description());
        assertEquals(OutputActivation.NONE, TfliteGraph.read(ByteBuffer.wrap(Files.readAllBytes(r.output()))).outputs().getFirst()
                .activation(), "the .tflite still returns the logits");
    }

    @Test
    void ofSeveralOutputsTheClassifierIsTheOneWithTheLabelCountElseTheOnlySoftmax() throws IOException {
        ConversionResult byDefault = convert("two-heads", request(twoHeads));
        assertEquals(new ClassifierOutput("b_classes", 1, 3, OutputActivation.SOFTMAX), byDefault.classifier());
        assertEquals(List.of("a_is_top", "b_classes"), TfliteGraph.read(ByteBuffer.wrap(Files.readAllBytes(byDefault.output())))
                .outputs().stream().map(o -> o.name()).toList(), "every output is kept");

        ConversionResult byLabels = convert("two-heads-labels", request(twoHeads).labels(twoLabels));
        assertEquals("a_is_top", byLabels.classifier().name(), "two labels fit the sigmoid unit");
        assertEquals("a_is_top", metadata(byLabels.output()).classifierOutput());

        ConversionResult named = convert("two-heads-named", request(twoHeads).classifierOutput("a_is_top"));
        assertEquals(new ClassifierOutput("a_is_top", 0, 1, OutputActivation.SIGMOID), named.classifier());

        ConversionException e = assertThrows(ConversionException.class,
                () -> convert("two-heads-unknown", request(twoHeads).classifierOutput("scores")));
        assertEquals(2, e.kind().exitCode());
        assertEquals("--classifier-output scores names no output of the model; its outputs are a_is_top (1 unit, sigmoid),"
                + " b_classes (3 units, softmax)", e.getMessage());
    }

    @Test
    void severalOutputsWithoutAClearClassifierAreRefusedWithTheirNames() {
        Path ambiguous = TinyClassifiers.outputs(tmp.resolve("ambiguous"),
                Map.of("a", TinyClassifiers.sigmoid(3, 3), "b", TinyClassifiers.logits(3, 3)));
        ConversionException e = assertThrows(ConversionException.class, () -> convert("ambiguous", request(ambiguous)));
        assertEquals(2, e.kind().exitCode());
        assertEquals("the model has 2 outputs and none is the only softmax: a (3 units, sigmoid), b (3 units, none);"
                + " choose the classifier with --classifier-output NAME", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ambiguous.tflite")));
    }

    @Test
    void aGrayscaleModelQuantizesToInt8WithUint8PixelsInAndScoresLikeTheFloatModel() throws IOException {
        Path gray = TinyClassifiers.single(tmp.resolve("gray"), 1, TinyClassifiers.softmax(1, 3));
        ConversionResult f = convert("gray-float", request(gray));
        ConversionResult q = convert("gray-int8", request(gray).quantize(Quantize.INT8).io(Int8Quantizer.Io.UINT8)
                .calibrationSet(CalibrationSet.of(calibration(1))));
        assertEquals(1, metadata(q.output()).inputChannels());
        assertEquals("uint8", metadata(q.output()).inputType());
        RgbImage image = new RgbImage(4, 4, gradient());
        try (ImageClassifier fc = ImageClassifier.load(f.output(), ImageClassifier.Settings.DEFAULTS);
             ImageClassifier qc = ImageClassifier.load(q.output(), ImageClassifier.Settings.DEFAULTS);
             ImageClassifier.Runner fr = fc.newRunner(InterpreterOptions.defaults());
             ImageClassifier.Runner qr = qc.newRunner(InterpreterOptions.defaults())) {
            assertTrue(qc.takesRawPixels() && qc.pipeline().grayscale());
            assertArrayEquals(fr.classify(image), qr.classify(image), 0.02f);
        }
        ConversionException e = assertThrows(ConversionException.class,
                () -> convert("gray-caffe", request(gray).preprocess(Preprocess.CAFFE)));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("--preprocess caffe has per-RGB-channel constants, but this model takes grayscale images"
                + " [1, 4, 4, 1]: use --preprocess tf or raw"), e.getMessage());
    }

    /** A colourful 4x4 image: its luma, not any one channel, is what the model sees. */
    private static byte[] gradient() {
        byte[] rgb = new byte[4 * 4 * 3];
        for (int i = 0; i < 16; i++) {
            rgb[i * 3] = (byte) (i * 16);
            rgb[i * 3 + 1] = (byte) (255 - i * 12);
            rgb[i * 3 + 2] = (byte) (i * 5);
        }
        return rgb;
    }
}
