package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The response shapes of every endpoint, on the bundled sample converted to int8 (labels in its metadata). */
class EndpointTest {
    static Server server;
    static Http http;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    static byte[] bag;
    static byte[] trouser;

    @BeforeAll
    static void start() throws IOException {
        server = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(2).build(),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        http = new Http(server.port());
        bag = Files.readAllBytes(TestModels.sampleImage("Bag"));
        trouser = Files.readAllBytes(TestModels.sampleImage("Trouser"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void pingSaysOk() {
        Http.Answer a = http.get("/ping");
        assertEquals(200, a.status());
        assertEquals("{\"status\":\"ok\"}", a.body());
        assertEquals("application/json", a.header("Content-Type"));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> predictions(Map<String, Object> json) {
        return (List<Map<String, Object>>) json.get("predictions");
    }

    @Test
    void rawImageGivesTopFivePredictionsSortedByScoreWithLabelsFromTheMetadata() {
        Http.Answer a = http.post("/predict", "image/png", bag);
        assertEquals(200, a.status(), a.body());
        List<Map<String, Object>> p = predictions(a.json());
        assertEquals(5, p.size());
        assertEquals("Bag", p.getFirst().get("label"));
        assertEquals(8, ((Number) p.getFirst().get("index")).intValue());
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> each : p) {
            assertEquals(List.of("label", "index", "score"), List.copyOf(each.keySet()));
            double score = ((Number) each.get("score")).doubleValue();
            assertTrue(score <= previous, "sorted descending: " + p);
            previous = score;
        }
    }

    @Test
    void topKChoosesHowMany() {
        assertEquals(1, predictions(http.post("/predict?top_k=1", "image/png", bag).json()).size());
        // More than the classes: all of them.
        assertEquals(10, predictions(http.post("/predict?top_k=50", "image/png", bag).json()).size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void multipartWithSeveralFilesGivesOneResultEach() {
        Http.Answer a = Http.multipart(http, "/predict?top_k=2", List.of(Map.entry("image", bag), Map.entry("image", trouser)));
        assertEquals(200, a.status(), a.body());
        List<Map<String, Object>> results = (List<Map<String, Object>>) a.json().get("results");
        assertEquals(2, results.size());
        assertEquals("Bag", predictions(results.get(0)).getFirst().get("label"));
        assertEquals("Trouser", predictions(results.get(1)).getFirst().get("label"));
        assertEquals(2, predictions(results.get(1)).size());
    }

    @Test
    void multipartWithOneFileAndOtherFieldsGivesPredictions() {
        Http.Answer a = Http.multipart(http, "/predict", List.of(Map.entry("note", "hello".getBytes()), Map.entry("image", bag)));
        assertEquals(200, a.status(), a.body());
        assertEquals("Bag", predictions(a.json()).getFirst().get("label"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonBase64Images() {
        String b64 = Base64.getEncoder().encodeToString(bag);
        Http.Answer one = http.post("/predict", "application/json", ("{\"images\":[\"" + b64 + "\"]}").getBytes());
        assertEquals(200, one.status(), one.body());
        assertEquals("Bag", predictions(one.json()).getFirst().get("label"));
        String t64 = Base64.getEncoder().encodeToString(trouser);
        Http.Answer two = http.post("/predict", "application/json; charset=utf-8",
                ("{\"images\":[\"" + b64 + "\",\"data:image/png;base64," + t64 + "\"]}").getBytes());
        List<Map<String, Object>> results = (List<Map<String, Object>>) two.json().get("results");
        assertEquals("Trouser", predictions(results.get(1)).getFirst().get("label"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void tfServingStatusMetadataAndPredict() {
        String name = server.modelName();
        Map<String, Object> status = http.get("/v1/models/" + name).json();
        Map<String, Object> version = ((List<Map<String, Object>>) status.get("model_version_status")).getFirst();
        assertEquals("AVAILABLE", version.get("state"));
        assertEquals("OK", ((Map<String, Object>) version.get("status")).get("error_code"));

        Map<String, Object> meta = http.get("/v1/models/" + name + "/metadata").json();
        assertEquals(name, ((Map<String, Object>) meta.get("model_spec")).get("name"));
        Map<String, Object> sig = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) meta.get("metadata"))
                .get("signature_def")).get("signature_def");
        assertNotNull(((Map<String, Object>) sig.get("serving_default")).get("inputs"));

        String b64 = Base64.getEncoder().encodeToString(bag);
        Http.Answer a = http.post("/v1/models/" + name + ":predict", "application/json",
                ("{\"instances\":[{\"b64\":\"" + b64 + "\"},{\"image_bytes\":{\"b64\":\"" + b64 + "\"}}]}").getBytes());
        assertEquals(200, a.status(), a.body());
        List<List<Number>> rows = (List<List<Number>>) a.json().get("predictions");
        assertEquals(2, rows.size());
        assertEquals(10, rows.getFirst().size());
        int argmax = 0;
        for (int i = 1; i < 10; i++) if (rows.getFirst().get(i).doubleValue() > rows.getFirst().get(argmax).doubleValue()) argmax = i;
        assertEquals(8, argmax);
        assertEquals(404, http.get("/v1/models/other-model").status());
        assertEquals(200, http.get("/v1/models/" + name + "/versions/1").status());
        assertEquals(404, http.get("/v1/models/" + name + "/versions/999").status());
    }

    /** The call TF Serving's REST documentation shows: {@code curl -d '{"instances": ...}'}, which sends a form Content-Type. */
    @Test
    @SuppressWarnings("unchecked")
    void tfServingTakesJsonWhateverItsContentTypeInRowAndColumnarForms() {
        String b64 = Base64.getEncoder().encodeToString(bag);
        String url = "/v1/models/" + server.modelName();
        for (String type : new String[] {"application/x-www-form-urlencoded", null, "text/plain"}) {
            Http.Answer row = http.post(url + ":predict", type, ("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}").getBytes());
            assertEquals(200, row.status(), type + ": " + row.body());
            assertEquals(8, argmax(((List<List<Number>>) row.json().get("predictions")).getFirst()));
        }
        Http.Answer signed = http.post(url + "/versions/1:predict", "application/json",
                ("{\"signature_name\": \"serving_default\", \"instances\": [{\"b64\": \"" + b64 + "\"}]}").getBytes());
        assertEquals(200, signed.status(), signed.body());
        for (String inputs : new String[] {"[{\"b64\": \"" + b64 + "\"}]", "{\"image_bytes\": [{\"b64\": \"" + b64 + "\"}]}",
                "{\"b64\": \"" + b64 + "\"}"}) {
            Http.Answer columnar = http.post(url + ":predict", "application/json", ("{\"inputs\": " + inputs + "}").getBytes());
            assertEquals(200, columnar.status(), inputs + ": " + columnar.body());
            List<List<Number>> outputs = (List<List<Number>>) columnar.json().get("outputs");
            assertEquals(1, outputs.size());
            assertEquals(8, argmax(outputs.getFirst()));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void tfServingTakesANumericTensorOfTheInputShapeAsTheModelsRawInput() throws Exception {
        // The tensor a uint8 model gets for the image: its pixels resized to 32 x 32, rounded; sent as nested lists.
        var decoder = new dev.mlpack.runtime.image.InputDecoder(
                new dev.mlpack.runtime.image.ImagePipeline(32, 32, dev.mlpack.runtime.image.Resize.BILINEAR,
                        dev.mlpack.runtime.image.Preprocess.TF), 1 << 20);
        byte[] pixels = dev.mlpack.runtime.image.ImagePipeline.roundToUint8(
                decoder.resized(bag, 0, bag.length, "bag", dev.mlpack.runtime.image.InputDecoder.MemoryGate.NONE));
        StringBuilder tensor = new StringBuilder("[");
        for (int y = 0; y < 32; y++) {
            tensor.append(y == 0 ? "[" : ",[");
            for (int x = 0; x < 32; x++) {
                int i = (y * 32 + x) * 3;
                tensor.append(x == 0 ? "[" : ",[").append(pixels[i] & 0xFF).append(',').append(pixels[i + 1] & 0xFF).append(',')
                        .append(pixels[i + 2] & 0xFF).append(']');
            }
            tensor.append(']');
        }
        tensor.append(']');
        String url = "/v1/models/" + server.modelName() + ":predict";
        Http.Answer fromTensor = http.post(url, "application/json", ("{\"instances\": [" + tensor + "]}").getBytes());
        assertEquals(200, fromTensor.status(), fromTensor.body());
        Http.Answer fromImage = http.post(url, "application/json",
                ("{\"instances\": [{\"b64\": \"" + Base64.getEncoder().encodeToString(bag) + "\"}]}").getBytes());
        assertEquals(fromImage.json().get("predictions"), fromTensor.json().get("predictions"), "the same input, the same scores");
    }

    private static int argmax(List<Number> row) {
        int best = 0;
        for (int i = 1; i < row.size(); i++) if (row.get(i).doubleValue() > row.get(best).doubleValue()) best = i;
        return best;
    }

    @Test
    void metricsInPrometheusTextFormat() {
        http.get("/ping");
        http.post("/predict", "image/png", bag);
        Http.Answer a = http.get("/metrics");
        assertEquals(200, a.status());
        assertTrue(a.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        String m = a.body();
        assertTrue(m.contains("# TYPE mlpack_requests_total counter"), m);
        assertTrue(m.matches("(?s).*mlpack_requests_total\\{route=\"/predict\",status=\"200\"} [1-9].*"), m);
        assertTrue(m.contains("# TYPE mlpack_request_duration_seconds histogram"), m);
        assertTrue(m.contains("mlpack_request_duration_seconds_bucket{route=\"/predict\",le=\"+Inf\"}"), m);
        assertTrue(m.contains("mlpack_request_duration_seconds_count{route=\"/predict\"}"), m);
        assertTrue(m.contains("mlpack_model_info{name=\"" + server.modelName() + "\",input=\"32x32\""), m);
        assertTrue(m.contains("xnnpack=\"true\""), m);
        assertTrue(m.contains("mlpack_workers 2"), m);
    }

    @Test
    void uploadPageIsSelfContainedHtml() {
        Http.Answer a = http.get("/");
        assertEquals(200, a.status());
        assertTrue(a.header("Content-Type").startsWith("text/html"));
        assertTrue(a.body().contains("<input id=\"file\" name=\"image\" type=\"file\""), a.body());
        // Offline: no external scripts, stylesheets, fonts or images.
        assertTrue(!a.body().contains("http://") && !a.body().contains("https://") && !a.body().contains("src=\"//"), "external asset");
    }

    @Test
    void headAnswersWithoutBody() {
        Http.Answer a = http.send("HEAD", "/ping", null, null);
        assertEquals(200, a.status());
        assertEquals("", a.body());
    }

    @Test
    void oneLogLinePerRequest() {
        int before = LOG.toString(StandardCharsets.UTF_8).split("\n").length;
        http.get("/ping?marker=1");
        String[] lines = LOG.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(before + 1, lines.length);
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("at=info method=GET path=\"/ping\" route=/ping status=200 duration_ms="), last);
    }
}
