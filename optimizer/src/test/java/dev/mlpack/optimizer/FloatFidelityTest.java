package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.testing.Fidelity;
import dev.mlpack.optimizer.testing.Fixtures;
import dev.mlpack.runtime.image.Preprocess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float .tflite of every keras.applications family, and of a model using the layers users put around
 * them, computes what the SavedModel computes: max|a−b|/max|b| ≤ 1e-4 on real images, with BatchNorm
 * statistics re-estimated on those images so that the outputs depend on the input.
 */
class FloatFidelityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir Path tmp;

    static Stream<String> models() {
        List<String> all = new ArrayList<>(Fixtures.FAMILIES);
        all.add(Fixtures.LAYERS_ZOO);
        all.add(Fixtures.TINY_CNN);
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void floatTfliteMatchesTheSavedModel(String name) throws Exception {
        Path fixture = Fixtures.fixture(name);
        Path out = tmp.resolve(name + ".tflite");
        // The preprocessing is worked out from the graph, except for the hand-built tiny_cnn, which shows nothing.
        Preprocess declared = Preprocess.parse((String) Fixtures.meta(fixture).get("preprocess"));
        ConversionResult result = Converter.convert(ConversionRequest.builder(Fixtures.savedModel(fixture), out)
                .preprocess(name.equals(Fixtures.TINY_CNN) ? declared : null).build());
        assertEquals(declared, result.preprocessing().mode(), name + ": the preprocessing its preprocess_input does");

        int batch = Fixtures.inputShape(fixture)[0];
        float[] expected = Fixtures.expected(fixture);
        float[] actual = Fidelity.runTflite(out, Fixtures.inputs(fixture), batch);
        double error = Fidelity.relativeMaxError(actual, expected);

        System.out.printf("fidelity %-18s float32 max|a-b|/max|b| = %.2e  (%d bytes, %.1f s)%n", name, error, result.bytes(), result.seconds());
        assertTrue(error <= TOLERANCE, name + ": relative error " + error + " exceeds " + TOLERANCE);
    }
}
