package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mlpack optimize --eval-data: the conversion followed by mlpack evaluate's comparison, in one command. */
class OptimizeEvalDataTest {
    @TempDir Path tmp;

    @Test
    void int8WithEvalDataPrintsAndWritesTheEvaluation() throws IOException {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        Path images = CliRunner.repo().resolve("samples/images");
        Path out = tmp.resolve("sample-int8.tflite");
        Path json = tmp.resolve("sample-int8.json");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", out.toString(), "--quantize", "int8",
                "--calibration", images.toString(), "--calibration-samples", "20", "--preprocess", "tf",
                "--labels", CliRunner.repo().resolve("samples/labels.txt").toString(),
                "--eval-data", images.toString(), "--eval-limit", "30", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  evaluation  30 images in 10 classes"), r.out());
        assertTrue(r.out().contains("top-1") && r.out().contains("top-5") && r.out().contains("agreement"), r.out());

        Map<String, Object> m = JSON.std.mapFrom(Files.readString(json));
        assertEquals(List.of("output", "bytes", "quantize", "seconds", "ops", "calibration", "float_ops", "preprocess", "repairs",
                "classifier_output",
                "compressed_bytes", "sparsity", "pruned_sparsity", "per_layer_sparsity", "budget", "search", "evaluation"),
                List.copyOf(m.keySet()));
        Map<?, ?> e = (Map<?, ?>) m.get("evaluation");
        assertEquals(30, ((Number) e.get("n")).intValue());
        for (String key : List.of("reference", "candidate", "agreement_top1", "mean_kl", "per_class")) {
            assertTrue(e.containsKey(key), key + " missing from " + e.keySet());
        }
        Map<?, ?> ref = (Map<?, ?>) e.get("reference");
        Map<?, ?> cand = (Map<?, ?>) e.get("candidate");
        assertEquals("saved_model", ref.get("format"));
        assertEquals("tflite", cand.get("format"));
        assertEquals(out.toString(), cand.get("path"));
        for (Map<?, ?> s : List.of(ref, cand)) {
            for (String key : List.of("top1", "top5", "top1_ci", "latency_ms", "bytes")) {
                assertTrue(s.containsKey(key), key + " missing from " + s.keySet());
            }
        }
        assertTrue(((Number) e.get("agreement_top1")).doubleValue() >= 0.9, String.valueOf(e.get("agreement_top1")));
        assertEquals(10, ((List<?>) e.get("per_class")).size());
    }

    @Test
    void withoutEvalDataThereIsNoEvaluation() throws IOException {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        Path json = tmp.resolve("float.json");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", tmp.resolve("f.tflite").toString(),
                "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("evaluation"), r.out());
        assertFalse(JSON.std.mapFrom(Files.readString(json)).containsKey("evaluation"));
    }

    @Test
    void missingEvalDataIsExit2BeforeConverting() {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        Path out = tmp.resolve("never.tflite");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", out.toString(),
                "--eval-data", tmp.resolve("no-such-folder").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--eval-data"), r.err());
        assertFalse(Files.exists(out), "converted although --eval-data was missing");
    }

    /** The data is only read after the conversion; when the evaluation then fails, the command leaves no model. */
    @Test
    void anEvaluationThatFailsLeavesNoModelBehind() throws IOException {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        Path image = CliRunner.repo().resolve("samples/images/Bag").toRealPath();
        try (var files = Files.list(image)) {
            image = files.sorted().findFirst().orElseThrow();
        }
        Path data = Files.writeString(tmp.resolve("holdout.csv"), image + ",Giraffe\n" + image + ",Bag\n");
        Path out = tmp.resolve("evaluated.tflite");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", out.toString(), "--preprocess", "tf",
                "--labels", CliRunner.repo().resolve("samples/labels.txt").toString(), "--eval-data", data.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().stream().filter(line -> line.startsWith("mlpack:")).count(), r.err());
        assertTrue(r.err().contains("'Giraffe'") && r.err().contains(out + " was not kept"), r.err());
        assertFalse(Files.exists(out), "the model was left behind although the command failed");
    }

    @Test
    void evalLimitWithoutEvalDataIsAUsageError() {
        Path model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", tmp.resolve("x.tflite").toString(),
                "--eval-limit", "5");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--eval-limit"), r.err());
    }
}
