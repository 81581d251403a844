package dev.mlpack.optimizer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Test fixtures made by {@code optimizer/src/test/fixtures/make_fixtures.py}: Keras 3 SavedModels
 * with real (already preprocessed) inputs and the SavedModel's own outputs for them; generated on
 * demand as {@link FixtureSet} describes.
 *
 * <p>Each fixture is a folder {@code NAME/} holding {@code saved_model/}, {@code inputs.f32},
 * {@code expected.f32} (little-endian float32), {@code meta.json} and {@code meta.properties}.
 * Fixtures live in {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/v}{@value #VERSION}.
 *
 * <p>Bump {@link #VERSION} whenever make_fixtures.py changes what it writes.
 */
public final class Fixtures {
    /** Version of the fixture set; bump when make_fixtures.py changes. */
    public static final int VERSION = 1;

    /** The 15 keras.applications families, one fixture each (input 96x96). */
    public static final List<String> FAMILIES = List.of(
            "Xception", "VGG16", "ResNet50", "ResNet50V2", "InceptionV3", "InceptionResNetV2",
            "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "DenseNet121",
            "NASNetMobile", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny");
    /** Hand-built 64x64 model using many layer types; raw 0..255 input. */
    public static final String LAYERS_ZOO = "layers_zoo";
    /** The fastest fixture (32x32), for quick unit tests. */
    public static final String TINY_CNN = "tiny_cnn";

    /** Tutorial-shaped user models trained on the bundled images, made by make_user_models.py (see its docstring). */
    public static final FixtureSet USER_MODELS = new FixtureSet("make_user_models.py", "user-models-", 1, "keras.f32");

    private static final FixtureSet MODELS = new FixtureSet("make_fixtures.py", "", VERSION, "expected.f32");

    private Fixtures() {}

    /** The folder of fixture {@code name}, generating it first if needed. */
    public static Path fixture(String name) {
        return MODELS.fixture(name);
    }

    /** The folders of the given fixtures, generating the missing ones in one run of the script. */
    public static Map<String, Path> fixtures(String... names) {
        return MODELS.fixtures(names);
    }

    /** {@code ${MLPACK_FIXTURES:-$HOME/.cache/mlpack/fixtures}/v<VERSION>}. */
    public static Path root() {
        return MODELS.root();
    }

    /** Reads a little-endian float32 raw file. */
    public static float[] readF32(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % 4 != 0) {
                throw new IllegalStateException(file + ": size " + bytes.length + " is not a multiple of 4");
            }
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's preprocessed model inputs, NHWC. */
    public static float[] inputs(Path fixtureDir) {
        return readF32(fixtureDir.resolve("inputs.f32"));
    }

    /** The SavedModel's outputs for {@link #inputs}. */
    public static float[] expected(Path fixtureDir) {
        return readF32(fixtureDir.resolve("expected.f32"));
    }

    /** The fixture's SavedModel folder. */
    public static Path savedModel(Path fixtureDir) {
        return fixtureDir.resolve("saved_model");
    }

    /**
     * The fixture's meta data from {@code meta.properties}: keys as in meta.json
     * ({@code name, family, input_shape, output_shape, preprocess, input_name, output_name,
     * image_size, ...}). {@code input_shape}, {@code output_shape} and {@code expected_top1} are
     * {@code int[]}; every other value is a String.
     */
    public static Map<String, Object> meta(Path fixtureDir) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(fixtureDir.resolve("meta.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames().stream().sorted().toList()) {
            String v = p.getProperty(k);
            out.put(k, k.endsWith("_shape") || k.equals("expected_top1") ? ints(v) : v);
        }
        return out;
    }

    /** {@code meta.input_shape}, e.g. {@code [4, 96, 96, 3]}. */
    public static int[] inputShape(Path fixtureDir) {
        return (int[]) meta(fixtureDir).get("input_shape");
    }

    /** {@code meta.output_shape}, e.g. {@code [4, 5]}. */
    public static int[] outputShape(Path fixtureDir) {
        return (int[]) meta(fixtureDir).get("output_shape");
    }

    private static int[] ints(String csv) {
        if (csv.isBlank()) {
            return new int[0];
        }
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

}
