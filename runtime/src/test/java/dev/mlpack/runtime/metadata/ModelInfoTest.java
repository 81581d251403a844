package dev.mlpack.runtime.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Metadata;
import org.tensorflow.lite.schema.Model;

class ModelInfoTest {

    static final String AWKWARD = "quote\" backslash\\ slash/ nl-free tab\t cr-free ctl\u0001\u001f del\u007f "
            + "é ü 中文 emoji😀 lone-high\ud800 lone-low\udc00 ls\u2028ps\u2029 nul\u0000";

    static ModelInfo sample() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("zeta", "last");
        extra.put("alpha", AWKWARD);
        extra.put("", "empty key");
        return ModelInfo.builder().name("fashion \"mnist\"").description("line one\nline two\t" + AWKWARD)
                .labels(List.of("T-shirt/top", "Trouser", "", " spaced ", "naïve,comma", "😀", "back\\slash", "q\"uote"))
                .preprocess("TF").resize(" Crop ").inputSize(28, 32).inputType("UINT8").outputType("float32")
                .mlpackVersion("0.1.0").extra(extra).build();
    }

    @Test
    void normalizesAndValidates() {
        ModelInfo info = sample();
        assertEquals("tf", info.preprocess());
        assertEquals("crop", info.resize());
        assertEquals("uint8", info.inputType());
        assertEquals(Preprocess.TF, info.preprocessMode());
        assertEquals(Resize.CROP, info.resizeMethod());
        assertEquals(new ImagePipeline(28, 32, Resize.CROP, Preprocess.TF), info.pipeline());
        assertEquals(List.of("", "alpha", "zeta"), new ArrayList<>(info.extra().keySet()), "extra is sorted");
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().preprocess("imagenet").build());
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().resize("lanczos").build());
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().inputType("float16").build());
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().labels(List.of("a\nb")).build());
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().labels(List.of("a\rb")).build());
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().inputSize(-1, 3).build());
        assertThrows(NullPointerException.class, () -> info.toBuilder().extra("k", null).build());
        assertThrows(IllegalStateException.class, () -> ModelInfo.builder().build().pipeline());
        assertEquals(info, info.toBuilder().build());
    }

    @Test
    void jsonRoundTripsEveryString() {
        ModelInfo info = sample();
        String json = info.toJson();
        assertEquals(info, ModelInfo.fromJson(json));
        assertEquals(json, ModelInfo.fromJson(json).toJson(), "stable text");
        assertFalse(json.chars().anyMatch(c -> c < 0x20), "no raw control characters");
        assertFalse(json.contains("\u2028") || json.contains("\u2029"), "line separators escaped");
        assertTrue(json.codePoints().noneMatch(cp -> Character.getType(cp) == Character.SURROGATE), "lone surrogates escaped");
        // the bytes are strict UTF-8 even with lone surrogates in the input
        byte[] utf8 = info.toJsonBytes();
        assertEquals(json, new String(utf8, StandardCharsets.UTF_8));
    }

    /** What mlpack has always written for {@link #sample()}: metadata of equal infos stays byte for byte the same. */
    static final String SAMPLE_JSON = "{\"format\":1,\"name\":\"fashion \\\"mnist\\\"\""
            + ",\"description\":\"line one\\nline two\\tquote\\\" backslash\\\\ slash/ nl-free tab\\t cr-free"
            + " ctl\\u0001\\u001f del\u007f \u00e9 \u00fc \u4e2d\u6587 emoji\ud83d\ude00 lone-high\\ud800"
            + " lone-low\\udc00 ls\\u2028ps\\u2029 nul\\u0000\""
            + ",\"labels\":[\"T-shirt/top\",\"Trouser\",\"\",\" spaced"
            + " \",\"na\u00efve,comma\",\"\ud83d\ude00\",\"back\\\\slash\",\"q\\\"uote\"]"
            + ",\"preprocess\":\"tf\",\"resize\":\"crop\",\"inputHeight\":28,\"inputWidth\":32,\"inputType\":\"uint8\""
            + ",\"outputType\":\"float32\",\"mlpackVersion\":\"0.1.0\",\"extra\":{\"\":\"empty key\""
            + ",\"alpha\":\"quote\\\" backslash\\\\ slash/ nl-free tab\\t cr-free ctl\\u0001\\u001f del\u007f \u00e9"
            + " \u00fc \u4e2d\u6587 emoji\ud83d\ude00 lone-high\\ud800 lone-low\\udc00 ls\\u2028ps\\u2029 nul\\u0000\""
            + ",\"zeta\":\"last\"},\"inputChannels\":1,\"classifierOutput\":\"output_1\""
            + ",\"outputActivation\":\"sigmoid\"}";

    @Test
    void jsonTextIsWhatMlpackHasAlwaysWritten() {
        ModelInfo info = sample().toBuilder().inputChannels(1).classifierOutput("output_1", OutputActivation.SIGMOID).build();
        assertEquals(SAMPLE_JSON, info.toJson());
        assertEquals(info, ModelInfo.fromJson(SAMPLE_JSON));
    }

    @Test
    void recordsTheClassifierOutputAndTheInputChannels() {
        ModelInfo info = sample().toBuilder().inputChannels(1).classifierOutput("output_1", OutputActivation.NONE).build();
        assertEquals("output_1", info.classifierOutput());
        assertEquals("none", info.outputActivation());
        assertEquals(Optional.of(OutputActivation.NONE), info.activation());
        assertTrue(info.recordsClassifierOutput());
        assertEquals(1, info.pipeline().channels());
        assertEquals(info, ModelInfo.fromJson(info.toJson()));
        assertTrue(info.toJson().endsWith(",\"inputChannels\":1,\"classifierOutput\":\"output_1\",\"outputActivation\":\"none\"}"),
                info.toJson());
        // what mlpack wrote before it recorded them: nothing recorded, readers fall back to the graph
        ModelInfo older = ModelInfo.fromJson("{\"format\":1,\"labels\":[\"a\",\"b\"],\"inputHeight\":28,\"inputWidth\":28}");
        assertFalse(older.recordsClassifierOutput());
        assertEquals(Optional.empty(), older.activation());
        assertEquals(0, older.inputChannels());
        assertEquals(3, older.pipeline().channels());
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"outputActivation\":\"relu\","
                + "\"classifierOutput\":\"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"classifierOutput\":\"x\"}"),
                "a name without its activation");
        assertThrows(IllegalArgumentException.class, () -> info.toBuilder().inputChannels(2).build());
    }

    @Test
    void jsonDefaultsAndRejects() {
        ModelInfo defaults = ModelInfo.fromJson("{\"format\":1, \"future\": {\"a\": [1, 2.5e3, true, null]}}");
        assertEquals(ModelInfo.builder().build(), defaults);
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":2}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"labels\":[1]}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"inputHeight\":1.5}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"name\":\"a\u0001\"}"));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("[".repeat(1000)));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"name\":\"a\",\"name\":\"b\"}"),
                "a member given twice");
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.fromJson("{\"format\":1,\"inputHeight\":4294967296}"));
    }

    @Test
    void readsItsMetadataFromAModel(@TempDir Path dir) throws IOException {
        ModelInfo info = sample();
        byte[] model = modelWithMetadata(Map.of("other", new byte[] {1, 2}, ModelInfo.METADATA_NAME, info.toJsonBytes()));
        // trailing bytes (the associated-files zip) do not matter
        byte[] withTrailer = Arrays.copyOf(model, model.length + 100);
        assertEquals(Optional.of(info), ModelInfo.read(model));
        assertEquals(Optional.of(info), ModelInfo.read(withTrailer));
        Path file = dir.resolve("m.tflite");
        Files.write(file, withTrailer);
        assertEquals(Optional.of(info), ModelInfo.read(file));
    }

    @Test
    void modelsWithoutMlpackMetadataReadAsEmpty() throws IOException {
        for (String name : List.of("tiny_float.tflite", "tiny_int8.tflite", "tiny_uint8.tflite")) {
            try (InputStream in = ModelInfoTest.class.getResourceAsStream("/models/" + name)) {
                assertEquals(Optional.empty(), ModelInfo.read(in.readAllBytes()), name + " (official converter)");
            }
        }
        assertEquals(Optional.empty(), ModelInfo.read(modelWithMetadata(Map.of("TFLITE_METADATA", new byte[8]))));
    }

    @Test
    void rejectsWhatIsNotAModelOrHasBrokenMetadata() {
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.read(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.read("definitely not a model".getBytes(StandardCharsets.UTF_8)));
        byte[] broken = modelWithMetadata(Map.of(ModelInfo.METADATA_NAME, "{\"format\":1,".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.read(broken));
        byte[] notUtf8 = modelWithMetadata(Map.of(ModelInfo.METADATA_NAME, new byte[] {(byte) 0xC3, (byte) 0x28}));
        assertThrows(IllegalArgumentException.class, () -> ModelInfo.read(notUtf8));
    }

    /** A TFLite flatbuffer with no subgraphs, only the given metadata buffers. */
    static byte[] modelWithMetadata(Map<String, byte[]> metadata) {
        FlatBufferBuilder fb = new FlatBufferBuilder(256);
        List<Integer> buffers = new ArrayList<>(List.of(Buffer.createBuffer(fb, 0)));
        List<Integer> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : metadata.entrySet()) {
            buffers.add(Buffer.createBuffer(fb, fb.createByteVector(e.getValue())));
            entries.add(Metadata.createMetadata(fb, fb.createString(e.getKey()), buffers.size() - 1));
        }
        int model = Model.createModel(fb, 3, 0, 0, fb.createString("test"),
                Model.createBuffersVector(fb, buffers.stream().mapToInt(Integer::intValue).toArray()), 0,
                Model.createMetadataVector(fb, entries.stream().mapToInt(Integer::intValue).toArray()), 0);
        Model.finishModelBuffer(fb, model);
        return fb.sizedByteArray();
    }
}
