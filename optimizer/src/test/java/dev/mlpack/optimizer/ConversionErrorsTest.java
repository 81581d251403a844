package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.optimizer.testing.TinySavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models mlpack cannot convert fail with one line that says what is wrong and what to do, a bad-input kind
 * (exit code 2), and no output file. Each kind of damage has its own message.
 */
class ConversionErrorsTest {
    @TempDir Path tmp;

    private ConversionException convertExpectingFailure(Path model) {
        Path out = tmp.resolve("out.tflite");
        ConversionException e = assertThrows(ConversionException.class,
                () -> Converter.convert(ConversionRequest.builder(model, out).build()));
        assertEquals(2, e.kind().exitCode(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(Files.exists(out), "no output file after a failure");
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left behind");
        } catch (IOException io) {
            throw new AssertionError(io);
        }
        return e;
    }

    private Path damagedSample(Consumer<Path> damage) throws IOException {
        Path copy = tmp.resolve("model");
        Samples.copyTree(Samples.model(), copy);
        damage.accept(copy);
        return copy;
    }

    @Test
    void anUnsupportedOpIsNamedWithItsNodeAndLayer() throws Exception {
        Path model = TinySavedModels.export(tmp.resolve("cumsum"),
                (tf, x) -> tf.withSubScope("running_total").math.cumsum(x, tf.constant(1)));
        ConversionException e = convertExpectingFailure(model);
        assertEquals(ConversionException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("Cumsum"), e.getMessage());
        assertTrue(e.getMessage().contains("running_total/Cumsum"), "names the node: " + e.getMessage());
        assertTrue(e.getMessage().contains("layer 'running_total'"), "names the layer: " + e.getMessage());
    }

    @Test
    void aMissingFolderIsReported() {
        assertTrue(convertExpectingFailure(tmp.resolve("nowhere")).getMessage().contains("does not exist"));
    }

    @Test
    void aMissingSavedModelPbIsReported() throws IOException {
        Path model = damagedSample(m -> delete(m.resolve("saved_model.pb")));
        assertTrue(convertExpectingFailure(model).getMessage().contains("no saved_model.pb"));
    }

    @Test
    void aTruncatedSavedModelPbIsReported() throws IOException {
        Path model = damagedSample(m -> truncate(m.resolve("saved_model.pb"), 0.5));
        assertTrue(convertExpectingFailure(model).getMessage().contains("saved_model.pb is corrupt or truncated"));
    }

    @Test
    void aCorruptedSavedModelPbIsReported() throws IOException {
        Path model = damagedSample(m -> overwriteWithNoise(m.resolve("saved_model.pb")));
        String message = convertExpectingFailure(model).getMessage();
        assertTrue(message.contains("saved_model.pb"), message);
    }

    @Test
    void aMissingVariablesFolderIsReported() throws IOException {
        Path model = damagedSample(m -> Samples.deleteTree(m.resolve("variables")));
        assertTrue(convertExpectingFailure(model).getMessage().contains("variables/variables.index is missing"));
    }

    @Test
    void truncatedVariableDataIsReported() throws IOException {
        Path model = damagedSample(m -> truncate(m.resolve("variables/variables.data-00000-of-00001"), 0.5));
        assertTrue(convertExpectingFailure(model).getMessage().contains("cannot read the variables"));
    }

    @Test
    void aCorruptedVariablesIndexIsReported() throws IOException {
        Path model = damagedSample(m -> overwriteWithNoise(m.resolve("variables/variables.index")));
        assertTrue(convertExpectingFailure(model).getMessage().contains("cannot read the variables"));
    }

    @Test
    void anUnknownSignatureListsTheAvailableOnes() {
        Path out = tmp.resolve("out.tflite");
        ConversionException e = assertThrows(ConversionException.class, () -> Converter.convert(
                ConversionRequest.builder(Samples.model(), out).signature("predict").build()));
        assertTrue(e.getMessage().contains("serving_default"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void truncate(Path p, double keep) {
        try {
            byte[] b = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(b, (int) (b.length * keep)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void overwriteWithNoise(Path p) {
        try {
            byte[] b = new byte[(int) Files.size(p)];
            new Random(7).nextBytes(b);
            Files.write(p, b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
