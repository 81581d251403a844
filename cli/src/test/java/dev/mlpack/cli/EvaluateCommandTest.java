package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mlpack evaluate on the bundled sample: SavedModel against its int8 conversion. */
class EvaluateCommandTest {
    @TempDir static Path tmp;
    static Path model;
    static Path images;
    static Path int8;

    @BeforeAll
    static void convertOnce() {
        model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        images = CliRunner.repo().resolve("samples/images");
        int8 = tmp.resolve("sample-int8.tflite");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", int8.toString(), "--quantize", "int8",
                "--calibration", images.toString(), "--calibration-samples", "100", "--preprocess", "tf",
                "--labels", CliRunner.repo().resolve("samples/labels.txt").toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void tableAndJson() throws IOException {
        Path json = tmp.resolve("eval.json");
        CliRunner.Result r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", images.toString(), "--limit", "100", "--threads", "2", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("evaluated 100 images in 10 classes"), r.out());
        assertTrue(r.out().contains("top-1") && r.out().contains("agreement top-1") && r.out().contains("per class"), r.out());
        Map<String, Object> m = JSON.std.mapFrom(Files.readString(json));
        for (String key : List.of("n", "reference", "candidate", "agreement_top1", "mean_kl", "per_class", "skipped", "confused_pairs")) {
            assertTrue(m.containsKey(key), key + " missing from " + m.keySet());
        }
        assertEquals(100, ((Number) m.get("n")).intValue());
        for (String which : List.of("reference", "candidate")) {
            Map<?, ?> s = (Map<?, ?>) m.get(which);
            for (String key : List.of("top1", "top5", "top1_ci", "latency_ms", "bytes")) {
                assertTrue(s.containsKey(key), which + "." + key + " missing from " + s.keySet());
            }
            assertEquals(2, ((List<?>) s.get("top1_ci")).size());
            Map<?, ?> latency = (Map<?, ?>) s.get("latency_ms");
            assertTrue(latency.containsKey("p50") && latency.containsKey("p95"), String.valueOf(latency));
        }
        assertTrue(((Number) m.get("agreement_top1")).doubleValue() >= 0.95, String.valueOf(m.get("agreement_top1")));
        List<?> perClass = (List<?>) m.get("per_class");
        assertEquals(10, perClass.size());
        assertEquals(List.of("label", "n", "reference_top1", "candidate_top1"), List.copyOf(((Map<?, ?>) perClass.getFirst()).keySet()));
    }

    @Test
    void predictionsCsvHasOneRowPerImageAgreeingWithTheSummary() throws IOException {
        Path csv = tmp.resolve("predictions.csv");
        Path json = tmp.resolve("eval-for-csv.json");
        CliRunner.Result r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", images.toString(), "--limit", "30", "--predictions", csv.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,label,reference_top1,reference_score,candidate_top1,candidate_score", lines.getFirst());
        assertEquals(31, lines.size());
        long referenceRight = lines.stream().skip(1).map(l -> l.split(",")).filter(f -> f[1].equals(f[2])).count();
        Map<String, Object> m = JSON.std.mapFrom(Files.readString(json));
        double top1 = ((Number) ((Map<?, ?>) m.get("reference")).get("top1")).doubleValue();
        assertEquals(top1, referenceRight / 30.0, 1e-9);
    }

    @Test
    void labelMismatchIsExit2() throws IOException {
        Path data = tmp.resolve("renamed/Handbag");
        Files.createDirectories(data);
        try (var files = Files.list(images.resolve("Bag"))) {
            for (Path p : files.sorted().limit(2).toList()) Files.copy(p, data.resolve(p.getFileName()));
        }
        CliRunner.Result r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", data.getParent().toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("'Handbag'"), r.err());
    }

    @Test
    void emptyDataIsExit2() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRunner.Result r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", empty.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("mlpack: "), r.err());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        CliRunner.Result r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", images.toString(), "--top-k", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--top-k"), r.err());
        r = CliRunner.run("evaluate", "--reference", model.toString(), "--candidate", int8.toString(),
                "--data", images.toString(), "--preprocess", "foo");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown preprocessing"), r.err());
    }
}
