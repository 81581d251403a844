package dev.mlpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.packager.ServerDist;
import dev.mlpack.packager.testing.FakeServerDist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** optimize, inspect and demo on the bundled sample (samples/model); skipped while it has not been generated. */
class SampleModelTest {
    @TempDir static Path tmp;
    static Path model;
    static Path tflite;
    static Path json;
    static CliRunner.Result optimized;

    @BeforeAll
    static void optimizeOnce() {
        model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
        tflite = tmp.resolve("sample.tflite");
        json = tmp.resolve("sample.json");
        optimized = CliRunner.run("optimize", model.toString(), "-o", tflite.toString(), "--json", json.toString());
    }

    @Test
    void optimizeWritesModelAndSummary() throws IOException {
        assertEquals(0, optimized.code(), optimized.err());
        assertTrue(Files.size(tflite) > 0);
        assertTrue(optimized.out().contains("wrote " + tflite), optimized.out());
        assertTrue(optimized.out().contains("ops"), optimized.out());
        assertTrue(optimized.out().contains("  classifier output 'output_0': 10 classes, softmax\n"), optimized.out());
    }

    @Test
    void optimizeJsonHasTheDocumentedKeys() throws IOException {
        Map<String, Object> m = JSON.std.mapFrom(Files.readString(json));
        assertEquals(java.util.List.of("output", "bytes", "quantize", "seconds", "ops", "calibration", "float_ops", "preprocess", "repairs",
                "classifier_output",
                "compressed_bytes", "sparsity", "pruned_sparsity", "per_layer_sparsity", "budget", "search"),
                java.util.List.copyOf(m.keySet()));
        assertEquals(null, m.get("calibration"));
        assertEquals(java.util.List.of(), m.get("float_ops"));
        assertEquals(Map.of("name", "output_0", "units", 10, "classes", 10, "activation", "softmax"), m.get("classifier_output"));
        assertEquals(tflite.toString(), m.get("output"));
        assertEquals(Files.size(tflite), ((Number) m.get("bytes")).longValue());
        assertEquals("none", m.get("quantize"));
        assertTrue(((Number) m.get("seconds")).doubleValue() >= 0);
        assertTrue(m.get("ops") instanceof Map<?, ?> ops && !ops.isEmpty(), String.valueOf(m.get("ops")));
    }

    @Test
    void inspectTheWrittenTflite() {
        CliRunner.Result r = CliRunner.run("inspect", tflite.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("TFLite model"), r.out());
        assertTrue(r.out().contains("input"), r.out());
        assertTrue(r.out().contains("operators:"), r.out());
        assertTrue(r.out().contains("quantization: none"), r.out());
    }

    @Test
    void inspectTheSavedModel() throws IOException {
        Path out = tmp.resolve("savedmodel.json");
        CliRunner.Result r = CliRunner.run("inspect", model.toString(), "--json", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SavedModel"), r.out());
        assertTrue(r.out().contains("serving_default"), r.out());
        assertTrue(r.out().contains("parameters: "), r.out());
        Map<String, Object> m = JSON.std.mapFrom(Files.readString(out));
        assertEquals("saved_model", m.get("format"));
        assertTrue(((Number) m.get("parameters")).longValue() > 0, String.valueOf(m));
    }

    @Test
    void float16IsSmaller() throws IOException {
        Path f16 = tmp.resolve("sample16.tflite");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "-o", f16.toString(), "--quantize", "float16");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(f16) < Files.size(tflite), "float16 " + Files.size(f16) + " vs float32 " + Files.size(tflite));
        CliRunner.Result inspected = CliRunner.run("inspect", f16.toString());
        assertTrue(inspected.out().contains("float16"), inspected.out());
    }

    @Test
    void demoRunsTheSteps() {
        Path out = tmp.resolve("demo");
        // The package step boots the server TEST DOUBLE until the real server distribution is on the classpath.
        System.setProperty(ServerDist.PROPERTY, FakeServerDist.folder().toString());
        CliRunner.Result r;
        try {
            r = CliRunner.run("demo", "--home", CliRunner.repo().toString(), "--out", out.toString(), "--calibration-samples", "20",
                    "--verify-limit", "20");
        } finally {
            System.clearProperty(ServerDist.PROPERTY);
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("model_float32.tflite")));
        assertTrue(Files.isRegularFile(out.resolve("model_float16.tflite")));
        assertTrue(Files.isRegularFile(out.resolve("model_int8.tflite")));
        assertTrue(r.out().contains("[6/6] Package the int8 model"), r.out());
        assertTrue(r.out().contains("[5/6] Compare the int8 model with the SavedModel"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("top-1") && l.contains("%")), "the accuracy table: " + r.out());
        assertTrue(Files.isRegularFile(out.resolve("evaluation.html")));
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  accuracy on 300 labelled images: SavedModel ")
                && l.contains("evaluation.html")), r.out());
        assertTrue(r.out().contains("calibration  20 images"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("sizes: float32") && l.contains("float16") && l.contains("int8")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("app/Procfile")));
        assertTrue(Files.isRegularFile(out.resolve("app/mlpack-sample.tar.gz")));
        assertTrue(r.out().lines().anyMatch(l -> l.contains("self-check") && l.contains("20/20 images") && l.endsWith(": passed")), r.out());
    }
}
