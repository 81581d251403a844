package dev.mlpack.optimizer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.optimizer.testing.TinySavedModels;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on the bundled sample: SavedModel and float TFLite against the int8 TFLite. */
class EvaluatorTest {
    @TempDir static Path tmp;
    static Path images;
    static Path floatModel;
    static Path int8Model;
    static EvaluationReport report;

    @BeforeAll
    static void convertAndEvaluate() {
        images = Samples.root().resolve("images");
        floatModel = tmp.resolve("sample.tflite");
        int8Model = tmp.resolve("sample-int8.tflite");
        Path labels = Samples.root().resolve("labels.txt");
        Converter.convert(ConversionRequest.builder(Samples.model(), floatModel)
                .preprocess(Preprocess.TF).resize(Resize.BILINEAR).labels(labels).build());
        Converter.convert(ConversionRequest.builder(Samples.model(), int8Model).quantize(Quantize.INT8)
                .calibration(images).calibrationSamples(100).preprocess(Preprocess.TF).resize(Resize.BILINEAR)
                .labels(labels).build());
        report = Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8Model, images).limit(100).threads(2).build());
    }

    @Test
    void int8MatchesTheSavedModel() {
        EvaluationReport r = report;
        assertEquals(100, r.n());
        assertEquals(5, r.topK());
        assertEquals(10, r.labels().size());
        assertEquals("saved_model", r.reference().format());
        assertEquals("tflite", r.candidate().format());
        assertEquals("float32 (tf)", r.reference().input());
        assertEquals("uint8 pixels", r.candidate().input()); // preprocessing from the candidate's metadata
        // The sample scores 0.863 on all 300 images; 100 stratified ones should land near that.
        assertTrue(r.reference().top1() > 0.75 && r.reference().top1() < 0.97, String.valueOf(r.reference().top1()));
        assertTrue(Math.abs(r.candidate().top1() - r.reference().top1()) <= 0.04,
                r.reference().top1() + " vs " + r.candidate().top1());
        assertTrue(r.agreementTop1() >= 0.95, String.valueOf(r.agreementTop1()));
        assertTrue(r.meanKl() >= 0 && r.meanKl() < 0.1, String.valueOf(r.meanKl()));
        assertTrue(r.candidate().topKAccuracy() >= r.candidate().top1());
        double[] ci = r.reference().top1Ci();
        assertTrue(ci[0] < r.reference().top1() && r.reference().top1() < ci[1]);
        assertEquals(10, r.perClass().size());
        assertEquals(100, r.perClass().stream().mapToInt(EvaluationReport.ClassStats::n).sum());
        assertTrue(r.candidate().bytes() > 0 && r.candidate().bytes() < r.reference().bytes());
        assertTrue(r.reference().latencyP50Ms() > 0 && r.reference().latencyP95Ms() >= r.reference().latencyP50Ms());
        assertTrue(r.candidate().latencyP50Ms() > 0 && r.candidate().latencyP95Ms() >= r.candidate().latencyP50Ms());
        assertTrue(r.skipped().isEmpty());
        assertTrue(r.peakMemoryBytes() != 0);
        int mistakes = r.reference().confusedPairs().stream().mapToInt(EvaluationReport.ConfusedPair::count).sum();
        assertTrue(mistakes > 0 && mistakes <= 100 - r.reference().top1Correct());
        System.out.printf("sample, 100 images: SavedModel top1 %.3f top5 %.3f, int8 top1 %.3f top5 %.3f, agreement %.3f,"
                        + " KL %.5f, latency p50 %.3f / %.3f ms, %d / %d bytes%n", r.reference().top1(), r.reference().topKAccuracy(),
                r.candidate().top1(), r.candidate().topKAccuracy(), r.agreementTop1(), r.meanKl(), r.reference().latencyP50Ms(),
                r.candidate().latencyP50Ms(), r.reference().bytes(), r.candidate().bytes());
    }

    @Test
    void floatTfliteAsReference() {
        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(floatModel, int8Model, images).limit(50).threads(1).build());
        assertEquals(50, r.n());
        assertEquals("float32 (tf)", r.reference().input());
        assertTrue(r.agreementTop1() >= 0.9, String.valueOf(r.agreementTop1()));
    }

    @Test
    void aReferenceMemoRunsTheReferenceOnceForSeveralCandidates() {
        ReferenceMemo memo = new ReferenceMemo();
        EvaluationRequest.Builder sameReferenceAndData = EvaluationRequest.builder(Samples.model(), int8Model, images).limit(40)
                .threads(1).referenceMemo(memo);
        EvaluationReport recorded = Evaluator.evaluate(sameReferenceAndData.build());
        assertEquals(0, memo.replays(), "the first evaluation runs the SavedModel and records it");
        EvaluationReport replayed = Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), floatModel, images).limit(40)
                .threads(1).referenceMemo(memo).build());
        assertEquals(1, memo.replays(), "another candidate on the same data replays the reference");
        assertEquals(recorded.reference().top1Correct(), replayed.reference().top1Correct());
        assertEquals(recorded.reference().path(), replayed.reference().path());
        assertEquals("saved_model", replayed.reference().format());
        assertEquals("float32 (tf)", replayed.reference().input());
        for (int i = 0; i < recorded.images().size(); i++) {
            EvaluationReport.ImageResult a = recorded.images().get(i), b = replayed.images().get(i);
            assertEquals(a.file(), b.file());
            assertEquals(a.referenceTop1(), b.referenceTop1());
            assertEquals(a.referenceScore(), b.referenceScore());
            assertEquals(a.referenceMs(), b.referenceMs(), "the recorded latency is reported again");
        }
        // The candidate is really run each time: the float TFLite is not the int8 one.
        assertTrue(replayed.candidate().path().endsWith("sample.tflite"));

        Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8Model, images).limit(20).threads(1).referenceMemo(memo).build());
        assertEquals(1, memo.replays(), "other data (here fewer images) is recorded afresh, never replayed");
        Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8Model, images).limit(20).threads(1).referenceMemo(memo).build());
        assertEquals(2, memo.replays());
    }

    @Test
    void labelNamesThatTheModelDoesNotHave() throws IOException {
        Path data = tmp.resolve("renamed");
        copySome(images.resolve("Bag"), data.resolve("Handbag"), 2);
        copySome(images.resolve("Coat"), data.resolve("Coat"), 2);
        ConversionException e = assertThrows(ConversionException.class,
                () -> Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8Model, data).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("'Handbag'"), e.getMessage());
    }

    @Test
    void emptyData() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        ConversionException e = assertThrows(ConversionException.class,
                () -> Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), int8Model, data).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
    }

    @Test
    void unreadableImagesAreSkippedUpToMaxSkip() throws IOException {
        Path data = tmp.resolve("broken");
        copySome(images.resolve("Bag"), data.resolve("Bag"), 3);
        Files.writeString(data.resolve("Bag/zz-broken.png"), "not a png");
        ConversionException e = assertThrows(ConversionException.class,
                () -> Evaluator.evaluate(EvaluationRequest.builder(floatModel, int8Model, data).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().startsWith("1 of 4 images could not be read") && e.getMessage().contains("zz-broken.png"),
                e.getMessage());
        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(floatModel, int8Model, data).maxSkip(1).build());
        assertEquals(3, r.n());
        assertEquals(1, r.skipped().size());
        assertTrue(r.skipped().getFirst().file().endsWith("zz-broken.png"));
    }

    @Test
    void labelsFileOfTheWrongLength() throws IOException {
        Path labels = tmp.resolve("labels3.txt");
        Files.write(labels, List.of("a", "b", "c"));
        Path data = tmp.resolve("abc");
        copySome(images.resolve("Bag"), data.resolve("a"), 1);
        ConversionException e = assertThrows(ConversionException.class,
                () -> Evaluator.evaluate(EvaluationRequest.builder(floatModel, int8Model, data).labels(labels).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("labels3.txt names 3 classes but the classifier output 'output_0' scores 10 (10 classes,"
                + " softmax); pass a labels file with one line per class"), e.getMessage());
    }

    @Test
    void indexLabelsNeedNoNamesAndMayCoverSomeClasses() throws IOException {
        // Models without labels in their metadata, and a CSV naming only output indices 0 and 3 of 10.
        Path plain = tmp.resolve("sample-nolabels.tflite");
        Converter.convert(ConversionRequest.builder(Samples.model(), plain).preprocess(Preprocess.TF).resize(Resize.BILINEAR).build());
        List<Path> bags = Files.list(images.resolve("Bag")).sorted().limit(2).toList();
        List<Path> dresses = Files.list(images.resolve("Dress")).sorted().limit(2).toList();
        Path csv = tmp.resolve("indices.csv");
        Files.write(csv, List.of(bags.get(0) + ",8", bags.get(1) + ",8", dresses.get(0) + ",3", dresses.get(1) + ",3"));

        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(plain, plain, csv).build());

        assertEquals(4, r.n());
        assertEquals(10, r.labels().size());
        assertEquals(1.0, r.agreementTop1());
    }

    @Test
    void aCandidateOfAnotherInputSizeIsRefusedBeforeAnyImageIsRun() {
        // 4x4 input, 10 outputs: the sample's classes, at a size the sample's 32x32 SavedModel does not take.
        Path tinyModel = TinySavedModels.export(tmp.resolve("tiny-4x4"),
                (tf, x) -> tf.linalg.matMul(tf.reshape(x, tf.constant(new long[] {-1, 48})), tf.constant(new float[48][10])));
        Path tiny = tmp.resolve("tiny-4x4.tflite");
        Converter.convert(ConversionRequest.builder(tinyModel, tiny).preprocess(Preprocess.TF).build());
        ConversionException e = assertThrows(ConversionException.class,
                () -> Evaluator.evaluate(EvaluationRequest.builder(Samples.model(), tiny, images).limit(10).build()));
        assertEquals(2, e.kind().exitCode());
        assertTrue(e.getMessage().contains("the models take different inputs: the reference")
                && e.getMessage().contains("takes 32x32 RGB") && e.getMessage().contains("takes 4x4 RGB"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private static void copySome(Path from, Path to, int n) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path p : files.sorted().limit(n).toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
    }
}
