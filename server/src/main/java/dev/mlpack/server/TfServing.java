package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.runtime.classifier.OutputCandidate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow Serving's REST shapes, so that clients written for TF Serving work unchanged: model status,
 * signature metadata, and the row format of {@code :predict} with base64 image bytes
 * ({@code {"instances": [{"b64": "..."}]}}, or {@code {"instances": [{"image_bytes": {"b64": "..."}}]}}),
 * answered as TF Serving answers: what the model returns, raw (a sigmoid unit as P(class 1), logits as logits), one
 * row per instance; with several outputs, each row is an object keyed by output name.
 */
final class TfServing {
    static final String VERSION = "1";
    static final String INPUT = "image_bytes";

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
        out.put("metadata", Map.of("signature_def", Map.of("signature_def", Map.of("serving_default", signature))));
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

    /** The image files of a {@code :predict} body. */
    static List<byte[]> instances(String contentType, byte[] body) {
        String type = ImageRequests.mediaType(contentType);
        if (!type.isEmpty() && !type.equals("application/json")) {
            throw HttpError.unsupported("unsupported Content-Type '" + contentType + "': :predict takes application/json");
        }
        if (body.length == 0) throw HttpError.badRequest("empty body: send {\"instances\": [{\"b64\": \"<base64 image>\"}]}");
        Object root;
        try {
            root = JSON.std.anyFrom(new String(body, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw HttpError.badRequest("malformed JSON: " + ImageRequests.firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> map) || !(map.get("instances") instanceof List<?> list) || list.isEmpty()) {
            throw HttpError.badRequest("JSON body must be {\"instances\": [{\"b64\": \"<base64 image>\"}, ...]}");
        }
        List<byte[]> images = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            images.add(ImageRequests.base64(b64Of(list.get(i), i), "instances[" + i + "].b64"));
        }
        return images;
    }

    /** {"b64": s} or {"any_input_name": {"b64": s}}. */
    private static String b64Of(Object instance, int i) {
        if (instance instanceof Map<?, ?> m) {
            if (m.get("b64") instanceof String s) return s;
            if (m.size() == 1 && m.values().iterator().next() instanceof Map<?, ?> inner && inner.get("b64") instanceof String s) {
                return s;
            }
        }
        throw HttpError.badRequest("instances[" + i + "] must be {\"b64\": \"<base64 image>\"}");
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

    private static List<Float> values(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) out.add(x);
        return out;
    }
}
