package dev.mlpack.cli;

import static dev.mlpack.cli.MainTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code optimize --prune}, its report, the budgets, and the one-line errors for bad values (exit 2). */
class PruneCliTest {
    @TempDir static Path tmp;
    static Path model;

    @BeforeAll
    static void sample() {
        model = CliRunner.sampleModel();
        assumeTrue(model != null, "samples/model has not been generated yet (see samples/make_sample.py)");
    }

    static CliRunner.Result optimize(String out, String... more) {
        List<String> args = new ArrayList<>(List.of("optimize", model.toString(), "-o", tmp.resolve(out).toString()));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(Path file) throws IOException {
        return (Map<String, Object>) JSON.std.anyFrom(Files.readString(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "-0.1", "1", "abc"})
    void pruneOutsideZeroTo099IsAUsageError(String value) {
        CliRunner.Result r = assertOneLineError(2, optimize("bad.tflite", "--prune", value));
        assertTrue(r.err().contains("--prune"), r.err());
        assertFalse(Files.exists(tmp.resolve("bad.tflite")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5XB", "MB", "-1", "0", "1,5MB"})
    void malformedSizesAreUsageErrors(String value) {
        CliRunner.Result r = assertOneLineError(2, optimize("bad.tflite", "--max-size", value));
        assertTrue(r.err().contains("--max-size"), r.err());
    }

    @Test
    void inconsistentBudgetAndEncodingOptionsAreUsageErrors() {
        CliRunner.Result r = assertOneLineError(2, optimize("bad.tflite", "--max-accuracy-drop", "1"));
        assertTrue(r.err().contains("--eval-data"), r.err());
        assertOneLineError(2, optimize("bad.tflite", "--prune", "0.5", "--prune-scope", "everything"));
        assertOneLineError(2, optimize("bad.tflite", "--budget-on", "file"));
        CliRunner.Result d = assertOneLineError(2, optimize("bad.tflite", "--quantize", "dynamic", "--prune", "0.8", "--sparse-encoding"));
        assertTrue(d.err().contains("--sparse-encoding applies to --quantize none and int8 only"), d.err());
    }

    @Test
    void pruneReportsSparsityPerLayerInTheSummaryAndJson() throws IOException {
        Path report = tmp.resolve("p50.json");
        CliRunner.Result r = optimize("p50.tflite", "--prune", "0.5", "--json", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  prune  50.0% zeros in the pruned kernels"), r.out());
        assertTrue(r.out().contains("(kept dense: classifier)"), r.out());
        Map<String, Object> m = json(report);
        assertEquals(0.5, ((Number) m.get("pruned_sparsity")).doubleValue(), 0.02);
        assertTrue(((Number) m.get("sparsity")).doubleValue() > 0.3);
        assertTrue(((Number) m.get("compressed_bytes")).longValue() < ((Number) m.get("bytes")).longValue());
        List<?> layers = (List<?>) m.get("per_layer_sparsity");
        assertFalse(layers.isEmpty());
        assertTrue(((Map<?, ?>) layers.getFirst()).containsKey("kept_dense"));
        assertNull(m.get("budget"));
        assertEquals(List.of(), m.get("search"));
    }

    @Test
    void sizeBudgetBetweenPrunedAndUnprunedSizesIsMetAndOneBelowReachFails() throws IOException {
        Path dense = tmp.resolve("dense.json"), pruned = tmp.resolve("p90.json");
        assertEquals(0, optimize("dense.tflite", "--json", dense.toString()).code());
        assertEquals(0, optimize("p90.tflite", "--prune", "0.9", "--json", pruned.toString()).code());
        long big = ((Number) json(dense).get("compressed_bytes")).longValue();
        long small = ((Number) json(pruned).get("compressed_bytes")).longValue();
        long budget = (big + small) / 2;

        Path report = tmp.resolve("budget.json");
        CliRunner.Result r = optimize("budget.tflite", "--max-size", Long.toString(budget), "--json", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("search path"), r.out());
        Map<String, Object> m = json(report);
        assertTrue(((Number) m.get("compressed_bytes")).longValue() <= budget);
        Map<?, ?> b = (Map<?, ?>) m.get("budget");
        assertEquals(budget, ((Number) b.get("max_size")).longValue());
        assertEquals(true, b.get("met"));
        List<?> search = (List<?>) m.get("search");
        assertTrue(search.size() >= 2 && search.size() <= 9, search.toString());
        // the least-pruned model under the budget: the last bisection step below it no longer fitted
        double chosen = ((Number) m.get("sparsity")).doubleValue();
        assertTrue(chosen > 0 && chosen < 0.9, "sparsity " + chosen);

        Path failed = tmp.resolve("failed.json");
        CliRunner.Result f = assertOneLineError(2, optimize("none.tflite", "--max-size", "2KB", "--json", failed.toString()));
        assertTrue(f.err().contains("no setting fits --max-size 2048 bytes (gzip -9 size): the smallest reached is"), f.err());
        assertFalse(Files.exists(tmp.resolve("none.tflite")), "no output when the budget is not met");
        assertEquals(false, ((Map<?, ?>) json(failed).get("budget")).get("met"));
    }

    @Test
    void accuracyBudgetPrintsThePathAndMeetsTheDrop() throws IOException {
        Path report = tmp.resolve("acc.json");
        CliRunner.Result r = optimize("acc.tflite", "--quantize", "dynamic", "--max-accuracy-drop", "5",
                "--eval-data", CliRunner.repo().resolve("samples/images").toString(), "--eval-limit", "30",
                "--labels", CliRunner.repo().resolve("samples/labels.txt").toString(), "--json", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("search path"), r.out());
        Map<String, Object> m = json(report);
        assertEquals(true, ((Map<?, ?>) m.get("budget")).get("met"));
        List<?> search = (List<?>) m.get("search");
        assertTrue(search.size() >= 2 && search.size() <= 12, search.toString());
        Map<?, ?> evaluation = (Map<?, ?>) m.get("evaluation");
        Map<?, ?> ref = (Map<?, ?>) evaluation.get("reference"), cand = (Map<?, ?>) evaluation.get("candidate");
        double drop = 100 * (((Number) ref.get("top1")).doubleValue() - ((Number) cand.get("top1")).doubleValue());
        assertTrue(drop <= 5 + 1e-9, "drop " + drop);
    }
}
