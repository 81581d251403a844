package dev.mlpack.runtime.metadata;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.Map;

/**
 * The JSON of {@link ModelInfo}, with jackson-jr, written as mlpack has always written it so that equal infos keep
 * giving identical bytes: compact, control characters escaped in lower-case hex, and U+2028, U+2029 and unpaired
 * surrogates escaped too, so that any Java string survives the round trip and the bytes are plain, valid UTF-8. Read
 * strictly: one JSON value filling the whole text, objects without repeated members, to {@link Map} (insertion
 * ordered), {@link java.util.List}, {@link String}, {@link Integer}, {@link Long} or {@link java.math.BigInteger},
 * {@link Double}, {@link Boolean} and {@code null}.
 */
final class JsonText {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JSON JSON_TEXT = JSON.builder(FACTORY).enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).build();

    private JsonText() {}

    /** {@code fields} as one compact JSON object, in their order. */
    static String write(Map<String, Object> fields) {
        try {
            return escapeUnencodable(JSON_TEXT.asString(fields));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write model info as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Jackson copies U+2028, U+2029 and unpaired surrogates into the text as they are; the first two end a line in
     * JavaScript, the others cannot be encoded in UTF-8. They can only stand inside a string, where an escape is the
     * same character.
     */
    private static String escapeUnencodable(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1));
            if (paired) {
                if (out != null) out.append(c).append(json.charAt(i + 1));
                i++;
                continue;
            }
            boolean escape = c == '\u2028' || c == '\u2029' || Character.isSurrogate(c);
            if (escape && out == null) out = new StringBuilder(json.length() + 16).append(json, 0, i);
            if (out != null) out.append(escape ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out == null ? json : out.toString();
    }

    /** The one JSON value {@code text} holds. */
    static Object read(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            Object value = JSON_TEXT.anyFrom(parser);
            if (parser.nextToken() != null) throw new IllegalArgumentException("invalid JSON: unexpected text after the value");
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
