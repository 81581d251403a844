package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlpack.optimizer.reference.SavedModelRunner;
import dev.mlpack.optimizer.testing.Fidelity;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real third-party SavedModels from ../shared (skipped when it is absent): the float .tflite matches TF's own
 * run of the SavedModel (TF Java, so the tf.keras 2.8 model that Python cannot load is covered too).
 */
class SharedModelsCorpusTest {
    static final Path SHARED = Path.of(System.getProperty("mlpack.repo", "."), "..", "shared", "data").normalize();

    @TempDir Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "imagenet-mobilenet-v1-0.25-224, imagenet/calibration, tf, crop",
        "potato-cnn-tfkeras-2.11, potato/images, raw, bilinear",
        "potato-cnn-tfkeras-2.8-broken, potato/images, raw, bilinear",
        "teachable-machine-tf1.15/model.savedmodel, potato/images, tf, bilinear",
    })
    void floatTfliteMatchesTensorFlowsOwnRun(String model, String images, String preprocess, String resize) throws Exception {
        Path dir = SHARED.resolve("models").resolve(model);
        assumeTrue(Files.isDirectory(dir), "../shared/data is not present");
        Path out = tmp.resolve("m.tflite");
        ConversionResult converted = Converter.convert(ConversionRequest.builder(dir, out).build());
        assertEquals(Preprocess.parse(preprocess), converted.preprocessing().mode(), "worked out from the graph: "
                + converted.preprocessing().reason());

        int h = 0;
        float[] batch;
        List<Path> files = sample(SHARED.resolve(images), 8);
        try (SavedModelRunner reference = SavedModelRunner.load(dir, null)) {
            h = model.contains("potato-cnn") ? 256 : 224;
            ImagePipeline pipeline = new ImagePipeline(h, h, Resize.parse(resize), Preprocess.parse(preprocess));
            ImageDecoder decoder = new ImageDecoder();
            int per = h * h * 3;
            batch = new float[files.size() * per];
            for (int i = 0; i < files.size(); i++) {
                System.arraycopy(pipeline.toFloats(decoder.decode(files.get(i))), 0, batch, i * per, per);
            }
            float[] expected = reference.run(batch, files.size(), h, h, 3);
            float[] actual = Fidelity.runTflite(out, batch, files.size());
            double error = Fidelity.relativeMaxError(actual, expected);
            System.out.printf("fidelity %-45s float32 max|a-b|/max|b| = %.2e%n", model, error);
            assertTrue(error <= FloatFidelityTest.TOLERANCE, model + ": relative error " + error);
        }
    }

    /**
     * This Keras 3 export kept its RandomFlip/RandomRotation layers live: the SavedModel is stochastic (two runs
     * on the same input differ by ~0.03), so there is no exact reference. mlpack makes the augmentation an
     * identity, as at inference; the check is the model's published accuracy on its data (0.981).
     */
    @org.junit.jupiter.api.Test
    void kerasExportWithLiveAugmentationKeepsItsAccuracy() throws Exception {
        Path dir = SHARED.resolve("models/potato-cnn-keras3-export");
        assumeTrue(Files.isDirectory(dir), "../shared/data is not present");
        Path out = tmp.resolve("k3.tflite");
        ConversionResult converted = Converter.convert(ConversionRequest.builder(dir, out).build());
        assertEquals(Preprocess.RAW, converted.preprocessing().mode(), converted.preprocessing().reason());
        assertEquals(2, converted.repairs().droppedLayers().size(), "RandomFlip and RandomRotation: " + converted.repairs());
        List<String> classes = List.of("Potato___Early_blight", "Potato___Late_blight", "Potato___healthy");
        ImagePipeline pipeline = new ImagePipeline(256, 256, Resize.BILINEAR, Preprocess.RAW);
        ImageDecoder decoder = new ImageDecoder();
        int correct = 0, total = 0;
        try (var model = dev.mlpack.runtime.tflite.TfliteModel.load(out); var it = model.newInterpreter()) {
            for (int c = 0; c < classes.size(); c++) {
                for (Path f : sample(SHARED.resolve("potato/images").resolve(classes.get(c)), 40)) {
                    it.setInput(0, pipeline.toFloats(decoder.decode(f)));
                    it.invoke();
                    if (Fidelity.top1(it.outputFloats(0), 1)[0] == c) correct++;
                    total++;
                }
            }
        }
        double accuracy = (double) correct / total;
        System.out.printf("potato-cnn-keras3-export float32 top-1 on %d images = %.3f%n", total, accuracy);
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy);
        assertEquals(120, total);
    }

    /** {@code n} files spread evenly over the sorted contents of a folder tree. */
    static List<Path> sample(Path root, int n) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".csv")).sorted().toList();
            return java.util.stream.IntStream.range(0, Math.min(n, all.size()))
                    .mapToObj(i -> all.get((int) ((long) i * all.size() / Math.min(n, all.size())))).toList();
        }
    }
}
