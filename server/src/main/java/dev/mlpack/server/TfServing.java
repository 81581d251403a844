package dev.mlpack.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mlpack.runtime.classifier.OutputCandidate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow Serving's REST API as its documentation shows it, so that its clients work unchanged: model status and
 * signature metadata, and {@code :predict} with a JSON body (whatever its Content-Type: {@code curl -d} sends a form
 * type) in the row format ({@code "instances"}, answered with {@code "predictions"}) or the columnar one
 * ({@code "inputs"}, answered with {@code "outputs"}). An instance is a base64 image ({@code {"b64": "..."}}, also
 * under the input's name, e.g. {@code {"image_bytes": {"b64": "..."}}}) or a numeric tensor of the model's input shape
 * without the batch dimension (raw 0..255 pixels for mlpack's uint8 models, preprocessed values for float ones).
 * The answer is what the model returns, raw (a sigmoid unit as P(class 1), logits as logits): one row per instance,
 * with several outputs an object keyed by output name. Errors are {@code {"error": "..."}}, as TF Serving words them
 * where it has words for them.
 */
final class TfServing {
    static final String VERSION = "1";
    static final String SIGNATURE = "serving_default";
    static final String INPUT = "image_bytes";

    /** A numeric instance, flattened in row-major order; its shape was checked against the model's input. */
    record Tensor(float[] values) implements RequestItem {}

    /** What a {@code :predict} body asks for. */
    record Predict(List<RequestItem> items, boolean columnar) {}

    private TfServing() {}

    static Map<String, Object> status() {
        return Map.of("model_version_status", List.of(Map.of("version", VERSION, "state", "AVAILABLE",
                "status", Map.of("error_code", "OK", "error_message", ""))));
    }

    static Map<String, Object> metadata(Predictor p) {
        Map<String, Object> input = Map.of("dtype", "DT_STRING", "name", INPUT,
                "tensor_shape", Map.of("dim", List.of(Map.of("size", "-1", "name", "")), "unknown_rank", false));
        Map<String, Object> outputs = new LinkedHashMap<>();
        for (OutputCandidate o : p.outputs()) {
            outputs.put(o.name(), Map.of("dtype", "DT_FLOAT", "name", o.name(),
                    "tensor_shape", Map.of("dim", List.of(Map.of("size", "-1", "name", ""),
                            Map.of("size", Integer.toString(o.units()), "name", "")), "unknown_rank", false)));
        }
        Map<String, Object> signature = Map.of("inputs", Map.of(INPUT, input), "outputs", outputs,
                "method_name", "tensorflow/serving/predict");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_spec", Map.of("name", p.info().name(), "signature_name", "", "version", VERSION));
        out.put("metadata", Map.of("signature_def", Map.of("signature_def", Map.of(SIGNATURE, signature))));
        Map<String, Object> mlpack = new LinkedHashMap<>();
        mlpack.put("labels", p.info().labels());
        mlpack.put("input_height", p.pipeline().height());
        mlpack.put("input_width", p.pipeline().width());
        mlpack.put("preprocess", p.info().preprocess());
        mlpack.put("resize", p.info().resize());
        mlpack.put("from_metadata", p.hasMetadata());
        mlpack.put("input_channels", p.pipeline().channels());
        mlpack.put("classifier_output", p.info().classifierOutput());
        mlpack.put("output_activation", p.info().outputActivation());
        out.put("mlpack", mlpack);
        return out;
    }

    /**
     * Reads a {@code :predict} body.
     *
     * @param inputShape the model's input shape without the batch dimension, e.g. {@code [224, 224, 3]}
     * @throws HttpError 400 for a body TF Serving would refuse, 413 for more than {@code maxItems} instances
     */
    static Predict parse(byte[] body, int length, int[] inputShape, int maxItems) {
        if (length == 0) throw HttpError.badRequest("JSON Parse error: The document is empty: send {\"instances\": [{\"b64\": \"<base64 image>\"}]}");
        List<RequestItem> items = null;
        boolean columnar = false;
        try (JsonParser p = ImageRequests.JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw HttpError.badRequest("JSON Value: the request body must be an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "signature_name" -> {
                        if (value != JsonToken.VALUE_STRING) throw HttpError.badRequest("'signature_name' must be a string");
                        String name = p.getText();
                        if (!name.isEmpty() && !name.equals(SIGNATURE)) {
                            throw HttpError.badRequest("Serving signature name: \"" + name + "\" not found in signature def");
                        }
                    }
                    case "instances", "inputs" -> {
                        if (items != null) throw HttpError.badRequest("Can't have both 'inputs' and 'instances' in the request");
                        columnar = field.equals("inputs");
                        items = new Reader(p, inputShape, maxItems, field).batch();
                    }
                    default -> p.skipChildren();
                }
            }
            ImageRequests.expectEnd(p);
        } catch (IOException e) {
            throw HttpError.badRequest("JSON Parse error: " + ImageRequests.firstLine(e.getMessage()));
        }
        if (items == null) throw HttpError.badRequest("Missing 'inputs' or 'instances' key");
        if (items.isEmpty()) throw HttpError.badRequest("'" + (columnar ? "inputs" : "instances") + "' is empty: send at least one image");
        return new Predict(items, columnar);
    }

    /** Reads the instances of {@code "instances"} or {@code "inputs"} from the parser's current token. */
    private static final class Reader {
        private final JsonParser p;
        private final int[] shape;
        private final int maxItems;
        private final String field;
        private final List<RequestItem> items = new ArrayList<>();

        Reader(JsonParser p, int[] shape, int maxItems, String field) {
            this.p = p;
            this.shape = shape;
            this.maxItems = maxItems;
            this.field = field;
        }

        /** A list of instances; for {@code "inputs"} also one instance alone, or a batch under the input's name. */
        List<RequestItem> batch() throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT && field.equals("inputs")) {
                JsonToken inner = p.nextToken();
                if (inner == JsonToken.FIELD_NAME && p.currentName().equals("b64")) {
                    add(image(true));
                    return items;
                }
                if (inner != JsonToken.FIELD_NAME) throw invalid();
                p.nextToken(); // the named input's value: the batch
                List<RequestItem> named = batch();
                if (p.nextToken() != JsonToken.END_OBJECT) {
                    throw HttpError.badRequest("this model has one input, '" + INPUT + "': 'inputs' names more than one");
                }
                return named;
            }
            if (t != JsonToken.START_ARRAY) throw invalid();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) add(instance(e));
            return items;
        }

        private void add(RequestItem item) {
            if (items.size() == maxItems) throw ImageRequests.tooManyImages(maxItems);
            items.add(item);
        }

        /** {@code {"b64": s}}, {@code {"input_name": {"b64": s}}}, {@code {"input_name": tensor}} or a tensor. */
        private RequestItem instance(JsonToken t) throws IOException {
            if (t == JsonToken.START_ARRAY) return tensor();
            if (t != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) throw invalid();
            if (p.currentName().equals("b64")) return image(true);
            JsonToken value = p.nextToken();
            RequestItem item;
            if (value == JsonToken.START_ARRAY) {
                item = tensor();
            } else if (value == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME && p.currentName().equals("b64")) {
                item = image(true);
            } else {
                throw invalid();
            }
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw HttpError.badRequest("this model has one input, '" + INPUT + "': an instance names more than one");
            }
            return item;
        }

        /** At the field name {@code b64}: its string, decoded, and the end of its object. */
        private RequestItem image(boolean closeObject) throws IOException {
            String where = field + "[" + items.size() + "].b64";
            if (p.nextToken() != JsonToken.VALUE_STRING) throw HttpError.badRequest(where + " must be a base64 string");
            byte[] bytes = ImageRequests.base64(p.getText(), where);
            if (closeObject && p.nextToken() != JsonToken.END_OBJECT) throw HttpError.badRequest(where + ": nothing may follow 'b64'");
            return ImageRequests.ImageFile.of(bytes);
        }

        /** At the opening bracket of a nested list of numbers: its values, checked against the input shape. */
        private RequestItem tensor() throws IOException {
            int size = 1;
            for (int d : shape) size *= d;
            float[] values = new float[size];
            int[] counts = new int[shape.length];
            int depth = 0; // the current token opened the list of depth 0
            int n = 0;
            String where = field + "[" + items.size() + "]";
            while (true) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    if (depth + 1 >= shape.length) throw wrongShape(where);
                    counts[depth]++;
                    depth++;
                    counts[depth] = 0;
                } else if (t == JsonToken.END_ARRAY) {
                    if (counts[depth] != shape[depth]) throw wrongShape(where);
                    if (depth == 0) break;
                    depth--;
                } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    if (depth != shape.length - 1 || n == size) throw wrongShape(where);
                    counts[depth]++;
                    values[n++] = p.getFloatValue();
                } else {
                    throw HttpError.badRequest(where + ": a tensor holds numbers only");
                }
            }
            if (n != size) throw wrongShape(where);
            return new Tensor(values);
        }

        private HttpError wrongShape(String where) {
            return HttpError.badRequest(where + " is not a tensor of the input's shape " + Arrays.toString(shape)
                    + " (nested lists, batch dimension left out), nor a base64 image {\"b64\": \"...\"}");
        }

        private HttpError invalid() {
            return HttpError.badRequest("'" + field + "' must hold base64 images ({\"b64\": \"...\"}, or {\"" + INPUT
                    + "\": {\"b64\": \"...\"}}) or numeric tensors of shape " + Arrays.toString(shape));
        }
    }

    /**
     * {@code {"predictions": [row, ...]}}, one row per instance: the output's values for a model with one output (a
     * list), else {@code {"output_name": [values], ...}} over every output, as TF Serving's row format answers a
     * multi-output signature.
     */
    static Map<String, Object> predictions(List<Predictor.Scores> scores) {
        List<Object> rows = new ArrayList<>(scores.size());
        for (Predictor.Scores s : scores) {
            if (s.outputs().size() == 1) {
                rows.add(values(s.outputs().values().iterator().next()));
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            s.outputs().forEach((name, v) -> row.put(name, values(v)));
            rows.add(row);
        }
        return Map.of("predictions", rows);
    }

    /**
     * The columnar answer ({@code "inputs"}): {@code {"outputs": [row, ...]}}, the batch of the one output; with several
     * outputs, {@code {"outputs": {"output_name": [row, ...], ...}}}, each output's batch, as TF Serving answers them.
     */
    static Map<String, Object> outputs(List<Predictor.Scores> scores) {
        if (scores.getFirst().outputs().size() == 1) return Map.of("outputs", predictions(scores).get("predictions"));
        Map<String, Object> byName = new LinkedHashMap<>();
        for (String name : scores.getFirst().outputs().keySet()) {
            List<Object> batch = new ArrayList<>(scores.size());
            for (Predictor.Scores s : scores) batch.add(values(s.outputs().get(name)));
            byName.put(name, batch);
        }
        return Map.of("outputs", byName);
    }

    private static List<Float> values(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) out.add(x);
        return out;
    }
}
