package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.tflite.MetadataWriter;
import dev.mlpack.optimizer.tflite.TfliteWriter;
import dev.mlpack.runtime.metadata.OutputActivation;
import dev.mlpack.runtime.metadata.ModelInfo;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /predict and the page show class probabilities whatever the model ends in; TF Serving's :predict returns what the
 * model returns. On one-op models written with mlpack's own writer and metadata, so that every value is known.
 */
class ScoringTest {
    @TempDir Path tmp;

    /** image [1, 1, 1, C] float32 -> each output its op of the image; mlpack metadata with preprocessing tf. */
    static Path model(Path file, int channels, Map<String, OpSpec<Attrs.None>> outputs, List<String> labels, String classifier, OutputActivation a)
            throws IOException {
        Graph g = new Graph();
        Value image = g.addInput("image", DType.FLOAT32, Shape.of(1, 1, 1, channels));
        outputs.forEach((name, op) -> g.setOutput(name, g.add(op, List.of(image), name, name).output()));
        ModelInfo info = ModelInfo.builder().name("scoring").preprocess("tf").inputSize(1, 1).inputType("float32")
                .inputChannels(channels).labels(labels).classifierOutput(classifier, a).build();
        MetadataWriter.Encoded metadata = MetadataWriter.encode(info, List.copyOf(outputs.keySet()));
        Files.write(file, metadata.appendTo(TfliteWriter.write(g, metadata.addMetadataTo(TfliteWriter.Options.builder()).build()).bytes()));
        return file;
    }

    static byte[] png(int rgb) throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) img.setRGB(x, y, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static Server start(Path model) throws IOException {
        return Server.start(ServerConfig.builder(model).host("127.0.0.1").port(0).workers(1).accessLog(false).build(),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> predictions(Http.Answer a) {
        assertEquals(200, a.status(), a.body());
        return (List<Map<String, Object>>) a.json().get("predictions");
    }

    static double number(Object o) {
        return ((Number) o).doubleValue();
    }

    @Test
    void aSigmoidUnitIsNamedAsTheClassItMeasuresAndTfServingGetsItRaw() throws IOException {
        // One gray channel through a sigmoid: P("bright") = sigmoid(luma / 127.5 - 1).
        Path file = model(tmp.resolve("sigmoid.tflite"), 1, Map.of("output_0", Activations.LOGISTIC), List.of("dark", "bright"), "output_0",
                OutputActivation.SIGMOID);
        try (Server server = start(file)) {
            Http http = new Http(server.port());
            byte[] light = png(0xF0C8A0); // luma (240*19595 + 200*38470 + 160*7471 + 0x8000) >> 16 = 207
            double p = sigmoid(207 / 127.5 - 1);
            List<Map<String, Object>> top = predictions(http.post("/predict", "image/png", light));
            assertEquals("bright", top.get(0).get("label"), "P(class 1) > 0.5 names class 1");
            assertEquals(1, number(top.get(0).get("index")));
            assertEquals(p, number(top.get(0).get("score")), 1e-6);
            assertEquals("dark", top.get(1).get("label"));
            assertEquals(1 - p, number(top.get(1).get("score")), 1e-6);

            Http.Answer tfs = http.post("/v1/models/scoring:predict", "application/json",
                    ("{\"instances\":[{\"b64\":\"" + Base64.getEncoder().encodeToString(light) + "\"}]}").getBytes());
            assertEquals(200, tfs.status(), tfs.body());
            @SuppressWarnings("unchecked")
            List<List<Number>> rows = (List<List<Number>>) tfs.json().get("predictions");
            assertEquals(1, rows.getFirst().size(), "the model's one unit, as TF Serving returns it");
            assertEquals(p, rows.getFirst().getFirst().doubleValue(), 1e-6);
            assertTrue(server.describe().contains("1x1 grayscale float32 input, 2 classes from output 'output_0' (one sigmoid unit as"
                    + " [1-p, p])"), server.describe());
        }
    }

    @Test
    void theTopKAreTheHighestScoresInDescendingOrderWithTiesToTheLowerIndex() {
        float[] scores = {0.1f, 0.3f, 0.3f, Float.NaN, -0f, 0f, 0.9f, 0.3f};
        // Float.compare's order: NaN above everything, 0.0 above -0.0.
        assertArrayEquals(new int[] {3, 6, 1, 2, 7, 0, 5, 4}, Server.topIndices(scores, 100));
        assertArrayEquals(new int[] {3, 6, 1}, Server.topIndices(scores, 3));
        assertArrayEquals(new int[] {}, Server.topIndices(scores, 0));
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            float[] s = new float[1 + random.nextInt(40)];
            for (int i = 0; i < s.length; i++) s[i] = random.nextInt(6) / 5f; // many ties
            Integer[] sorted = new Integer[s.length];
            for (int i = 0; i < s.length; i++) sorted[i] = i;
            Arrays.sort(sorted, (a, b) -> Float.compare(s[b], s[a])); // stable
            int k = random.nextInt(s.length + 2);
            int[] expected = Arrays.stream(sorted).limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, Server.topIndices(s, k), Arrays.toString(s) + " k=" + k);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void logitsBecomeProbabilitiesAndEveryOutputGoesToTfServing() throws IOException {
        // "a_logits" (no activation) is recorded as the classifier; "b_aux" is a second, sigmoid output.
        Path file = model(tmp.resolve("two.tflite"), 3, new java.util.TreeMap<>(Map.of("a_logits", Activations.RELU, "b_aux", Activations.LOGISTIC)),
                List.of("red", "green", "blue"), "a_logits", OutputActivation.NONE);
        try (Server server = start(file)) {
            Http http = new Http(server.port());
            byte[] red = png(0xFF0000); // tf preprocessing: [1, -1, -1]; ReLU: logits [1, 0, 0]
            double e = Math.E, sum = e + 2;
            List<Map<String, Object>> top = predictions(http.post("/predict", "image/png", red));
            assertEquals("red", top.get(0).get("label"));
            assertEquals(e / sum, number(top.get(0).get("score")), 1e-6, "a probability, not the logit 1.0");
            assertEquals(1 / sum, number(top.get(1).get("score")), 1e-6);

            Http.Answer tfs = http.post("/v1/models/scoring:predict", "application/json",
                    ("{\"instances\":[{\"b64\":\"" + Base64.getEncoder().encodeToString(red) + "\"}]}").getBytes());
            Map<String, List<Number>> row = ((List<Map<String, List<Number>>>) tfs.json().get("predictions")).getFirst();
            assertEquals(List.of("a_logits", "b_aux"), List.copyOf(row.keySet()), "every output, by name");
            assertEquals(1.0, row.get("a_logits").get(0).doubleValue(), 1e-6);
            assertEquals(sigmoid(-1), row.get("b_aux").get(2).doubleValue(), 1e-6);

            Map<String, Object> meta = http.get("/v1/models/scoring/metadata").json();
            Map<String, Object> signature = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                    meta.get("metadata")).get("signature_def")).get("signature_def")).get("serving_default");
            assertEquals(List.of("a_logits", "b_aux"), List.copyOf(((Map<String, Object>) signature.get("outputs")).keySet()));
            assertEquals("none", ((Map<String, Object>) meta.get("mlpack")).get("output_activation"));
        }
    }

    @Test
    void classifierOutputChoosesAnotherOutputToScore() throws IOException {
        Path file = model(tmp.resolve("choose.tflite"), 3, new java.util.TreeMap<>(Map.of("a_logits", Activations.RELU, "b_aux", Activations.LOGISTIC)),
                List.of(), "a_logits", OutputActivation.NONE);
        try (Server server = Server.start(ServerConfig.builder(file).host("127.0.0.1").port(0).workers(1).accessLog(false)
                .classifierOutput("b_aux").build(), new PrintStream(OutputStream.nullOutputStream()))) {
            List<Map<String, Object>> top = predictions(new Http(server.port()).post("/predict", "image/png", png(0xFF0000)));
            // b_aux: sigmoid([1, -1, -1]), independent probabilities taken as they are
            assertEquals("0", top.get(0).get("label"));
            assertEquals(sigmoid(1), number(top.get(0).get("score")), 1e-6);
        }
    }
}
