package dev.mlpack.runtime.metadata;

import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Metadata;
import org.tensorflow.lite.schema.Model;

/**
 * What a server needs to use an mlpack model without extra files: its labels and how to prepare an
 * image for it. mlpack stores this inside the {@code .tflite} as a metadata buffer named
 * {@value #METADATA_NAME} holding {@link #toJson() UTF-8 JSON} (next to the standard TFLite
 * {@code TFLITE_METADATA}, which other TFLite tools read); {@link #read(byte[])} gets it back.
 *
 * @param name model name
 * @param description free text, may be empty
 * @param labels one per output class, in output order; none contains a line break
 * @param preprocess Keras {@code preprocess_input} mode the model was trained with: {@code tf},
 *     {@code caffe}, {@code torch} or {@code raw} (see {@link Preprocess})
 * @param resize how images reach the input size: {@code bilinear}, {@code nearest} or {@code crop}
 *     (see {@link Resize})
 * @param inputHeight input image height in pixels, 0 if unknown
 * @param inputWidth input image width in pixels, 0 if unknown
 * @param inputType what the input tensor takes: {@code uint8} (raw RGB pixels 0..255, the
 *     preprocessing runs inside the model; the default for mlpack's int8 models), {@code int8}
 *     (preprocessed values, quantized with the input tensor's own scale and zero point) or {@code
 *     float32} (preprocessed values)
 * @param outputType the output tensor's type: {@code uint8}, {@code int8} or {@code float32}
 * @param mlpackVersion version of mlpack that wrote the model, may be empty
 * @param extra further string properties, sorted by key
 * @param inputChannels channels of the input image: 3 (RGB) or 1 (grayscale, fed as its PIL "L" luma); 0 if not
 *     recorded (models written before mlpack recorded it: readers take the input tensor's last dimension)
 * @param classifierOutput the name (signature output key) of the output holding the class scores; empty if not
 *     recorded (readers then infer it from the graph, see {@code dev.mlpack.runtime.classifier.TfliteGraph})
 * @param outputActivation what that output's values are: {@code softmax}, {@code sigmoid} or {@code none} (logits, to
 *     which mlpack applies a softmax, or a sigmoid for one unit, when it scores them; see {@code
 *     dev.mlpack.runtime.classifier.ClassifierOutput}); empty if not recorded
 */
public record ModelInfo(String name, String description, List<String> labels, String preprocess, String resize,
                        int inputHeight, int inputWidth, String inputType, String outputType, String mlpackVersion,
                        Map<String, String> extra, int inputChannels, String classifierOutput, String outputActivation) {

    /** Name of the {@code Model.metadata} entry holding the JSON. */
    public static final String METADATA_NAME = "mlpack";

    /** Version of the JSON layout; readers reject other versions rather than misread them. */
    public static final int FORMAT = 1;

    private static final List<String> TENSOR_TYPES = List.of("uint8", "int8", "float32");

    /**
     * Normalizes {@code preprocess}, {@code resize} and the tensor types to lower case.
     *
     * @throws IllegalArgumentException for unknown modes or types, negative sizes, or labels with
     *     line breaks
     * @throws NullPointerException for null values (anywhere, including list and map elements)
     */
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(mlpackVersion, "mlpackVersion");
        labels = List.copyOf(labels);
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("label " + i + " contains a line break: " + label.strip());
            }
        }
        preprocess = Preprocess.parse(Objects.requireNonNull(preprocess, "preprocess")).kerasName();
        resize = Resize.parse(Objects.requireNonNull(resize, "resize")).name().toLowerCase(Locale.ROOT);
        inputType = tensorType("inputType", inputType);
        outputType = tensorType("outputType", outputType);
        if (inputHeight < 0 || inputWidth < 0) {
            throw new IllegalArgumentException("input size must not be negative, got " + inputHeight + "x" + inputWidth);
        }
        if (inputChannels != 0 && inputChannels != 1 && inputChannels != 3) {
            throw new IllegalArgumentException("input channels must be 1 or 3 (0: not recorded), got " + inputChannels);
        }
        Objects.requireNonNull(classifierOutput, "classifierOutput");
        outputActivation = Objects.requireNonNull(outputActivation, "outputActivation").isBlank() ? ""
                : OutputActivation.parse(outputActivation).metadataName();
        if (classifierOutput.isEmpty() != outputActivation.isEmpty()) {
            throw new IllegalArgumentException("the classifier output's name and activation are recorded together, got '"
                    + classifierOutput + "' and '" + outputActivation + "'");
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        extra.forEach((k, v) -> sorted.put(Objects.requireNonNull(k, "extra key"), Objects.requireNonNull(v, "extra value")));
        extra = Collections.unmodifiableMap(sorted);
    }

    private static String tensorType(String what, String type) {
        String t = Objects.requireNonNull(type, what).trim().toLowerCase(Locale.ROOT);
        if (!TENSOR_TYPES.contains(t)) {
            throw new IllegalArgumentException("unknown " + what + " '" + type + "'; expected one of " + String.join(", ", TENSOR_TYPES));
        }
        return t;
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().name(name).description(description).labels(labels).preprocess(preprocess).resize(resize)
                .inputSize(inputHeight, inputWidth).inputType(inputType).outputType(outputType)
                .mlpackVersion(mlpackVersion).extra(extra).inputChannels(inputChannels)
                .classifierOutput(classifierOutput, activation().orElse(null));
    }

    /** {@link #outputActivation} as the runtime's enum; empty when the metadata does not record it. */
    public Optional<OutputActivation> activation() {
        return outputActivation.isEmpty() ? Optional.empty() : Optional.of(OutputActivation.parse(outputActivation));
    }

    /** Whether the classifier output (name and activation) is recorded. */
    public boolean recordsClassifierOutput() { return !classifierOutput.isEmpty(); }

    /** {@link #preprocess} as the runtime's enum. */
    public Preprocess preprocessMode() { return Preprocess.parse(preprocess); }

    /** {@link #resize} as the runtime's enum. */
    public Resize resizeMethod() { return Resize.parse(resize); }

    /** Whether the input size is recorded. */
    public boolean hasInputSize() { return inputHeight > 0 && inputWidth > 0; }

    /**
     * The image pipeline this model expects.
     *
     * @throws IllegalStateException if the input size is unknown
     */
    public ImagePipeline pipeline() {
        if (!hasInputSize()) throw new IllegalStateException("model '" + name + "' records no input size");
        return new ImagePipeline(inputHeight, inputWidth, resizeMethod(), preprocessMode(), inputChannels == 0 ? 3 : inputChannels);
    }

    // ---------------------------------------------------------------- JSON

    /**
     * Compact JSON with every field, keys in a fixed order and {@code extra} sorted, so equal infos
     * give identical text: {@code {"format":1,"name":…,"description":…,"labels":[…],"preprocess":…,
     * "resize":…,"inputHeight":…,"inputWidth":…,"inputType":…,"outputType":…,"mlpackVersion":…,"extra":{…},
     * "inputChannels":…,"classifierOutput":…,"outputActivation":…}}. The last three came later (same {@link #FORMAT}:
     * older readers ignore them).
     */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", FORMAT);
        fields.put("name", name);
        fields.put("description", description);
        fields.put("labels", labels);
        fields.put("preprocess", preprocess);
        fields.put("resize", resize);
        fields.put("inputHeight", inputHeight);
        fields.put("inputWidth", inputWidth);
        fields.put("inputType", inputType);
        fields.put("outputType", outputType);
        fields.put("mlpackVersion", mlpackVersion);
        fields.put("extra", extra);
        fields.put("inputChannels", inputChannels);
        fields.put("classifierOutput", classifierOutput);
        fields.put("outputActivation", outputActivation);
        return JsonText.write(fields);
    }

    /** {@link #toJson()} as UTF-8 bytes: the content of the {@value #METADATA_NAME} metadata buffer. */
    public byte[] toJsonBytes() { return toJson().getBytes(StandardCharsets.UTF_8); }

    /**
     * Parses {@link #toJson()} output. Missing fields take the {@link Builder} defaults; unknown
     * fields are ignored (so later versions may add some).
     *
     * @throws IllegalArgumentException if the text is not such JSON or has another {@link #FORMAT}
     */
    public static ModelInfo fromJson(String json) {
        if (!(JsonText.read(json) instanceof Map<?, ?> root)) throw new IllegalArgumentException("model info JSON is not an object");
        Object format = root.get("format");
        if (!(format instanceof Integer f) || f != FORMAT) {
            throw new IllegalArgumentException("unsupported mlpack model info format " + format + " (this reader knows " + FORMAT + ")");
        }
        Builder b = builder();
        if (root.containsKey("name")) b.name(str(root, "name"));
        if (root.containsKey("description")) b.description(str(root, "description"));
        if (root.containsKey("labels")) {
            if (!(root.get("labels") instanceof List<?> list)) throw new IllegalArgumentException("\"labels\" is not an array");
            List<String> labels = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) throw new IllegalArgumentException("\"labels\" holds a non-string: " + o);
                labels.add(s);
            }
            b.labels(labels);
        }
        if (root.containsKey("preprocess")) b.preprocess(str(root, "preprocess"));
        if (root.containsKey("resize")) b.resize(str(root, "resize"));
        if (root.containsKey("inputHeight")) b.inputHeight = integer(root, "inputHeight");
        if (root.containsKey("inputWidth")) b.inputWidth = integer(root, "inputWidth");
        if (root.containsKey("inputType")) b.inputType(str(root, "inputType"));
        if (root.containsKey("outputType")) b.outputType(str(root, "outputType"));
        if (root.containsKey("mlpackVersion")) b.mlpackVersion(str(root, "mlpackVersion"));
        if (root.containsKey("extra")) {
            if (!(root.get("extra") instanceof Map<?, ?> map)) throw new IllegalArgumentException("\"extra\" is not an object");
            Map<String, String> extra = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!(v instanceof String s)) throw new IllegalArgumentException("\"extra\"." + k + " is not a string");
                extra.put((String) k, s);
            });
            b.extra(extra);
        }
        if (root.containsKey("inputChannels")) b.inputChannels(integer(root, "inputChannels"));
        if (root.containsKey("classifierOutput")) b.classifierOutput = str(root, "classifierOutput");
        if (root.containsKey("outputActivation")) b.outputActivation = str(root, "outputActivation");
        return b.build();
    }

    private static String str(Map<?, ?> root, String key) {
        if (!(root.get(key) instanceof String s)) throw new IllegalArgumentException("\"" + key + "\" is not a string");
        return s;
    }

    private static int integer(Map<?, ?> root, String key) {
        // Integers that fit in an int are read as Integer; larger ones as Long or BigInteger, fractions as Double.
        if (!(root.get(key) instanceof Integer n)) throw new IllegalArgumentException("\"" + key + "\" is not an int");
        return n;
    }

    // ---------------------------------------------------------------- reading models

    /**
     * mlpack's metadata from the bytes of a {@code .tflite} file (anything appended after the
     * flatbuffer, such as the zip of associated files, is ignored).
     *
     * @return empty for a valid model without mlpack metadata (e.g. one from the official converter)
     * @throws IllegalArgumentException if the bytes are not a TFLite model, or its mlpack metadata
     *     is unreadable
     */
    public static Optional<ModelInfo> read(byte[] tfliteBytes) {
        return read(ByteBuffer.wrap(tfliteBytes));
    }

    /** Like {@link #read(byte[])}, memory-mapping the file rather than loading it. */
    public static Optional<ModelInfo> read(Path tflite) throws IOException {
        try (FileChannel ch = FileChannel.open(tflite, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new IOException(tflite + ": models over 2 GiB are not supported");
            try {
                return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(tflite + ": " + e.getMessage(), e);
            }
        }
    }

    /** Like {@link #read(byte[])} on the buffer's remaining bytes (its position is left unchanged). */
    public static Optional<ModelInfo> read(ByteBuffer tflite) {
        ByteBuffer bb = tflite.slice();
        if (bb.remaining() < 8 || !Model.ModelBufferHasIdentifier(bb)) {
            throw new IllegalArgumentException("not a TFLite model (no TFL3 identifier)");
        }
        ByteBuffer json;
        try {
            json = metadataBuffer(Model.getRootAsModel(bb), METADATA_NAME);
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new IllegalArgumentException("not a valid TFLite flatbuffer: " + e, e);
        }
        if (json == null) return Optional.empty();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(json).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("mlpack metadata is not UTF-8", e);
        }
        try {
            return Optional.of(fromJson(text));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable mlpack metadata: " + e.getMessage(), e);
        }
    }

    /** The data of the {@code Model.metadata} entry named {@code name}, or null. */
    private static ByteBuffer metadataBuffer(Model model, String name) {
        for (int i = 0; i < model.metadataLength(); i++) {
            Metadata m = model.metadata(i);
            if (!name.equals(m.name())) continue;
            long index = m.buffer();
            if (index < 0 || index >= model.buffersLength()) {
                throw new IllegalArgumentException("metadata '" + name + "' points at missing buffer " + index);
            }
            Buffer buffer = model.buffers((int) index);
            ByteBuffer data = buffer.dataAsByteBuffer();
            return data == null ? ByteBuffer.allocate(0) : data;
        }
        return null;
    }

    /**
     * Builds a {@link ModelInfo}. Defaults: name {@code "model"}, empty description, no labels,
     * preprocess {@code raw}, resize {@code bilinear}, unknown (0) input size, input {@code uint8},
     * output {@code float32}, empty mlpack version, no extras, input channels and classifier output not recorded.
     */
    public static final class Builder {
        private String name = "model";
        private String description = "";
        private final List<String> labels = new ArrayList<>();
        private String preprocess = "raw";
        private String resize = "bilinear";
        private int inputHeight;
        private int inputWidth;
        private String inputType = "uint8";
        private String outputType = "float32";
        private String mlpackVersion = "";
        private final Map<String, String> extra = new LinkedHashMap<>();
        private int inputChannels;
        private String classifierOutput = "";
        private String outputActivation = "";

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** Replaces the labels. */
        public Builder labels(List<String> labels) {
            this.labels.clear();
            this.labels.addAll(labels);
            return this;
        }

        public Builder preprocess(String mode) {
            this.preprocess = mode;
            return this;
        }

        public Builder preprocess(Preprocess mode) { return preprocess(mode.kerasName()); }

        public Builder resize(String method) {
            this.resize = method;
            return this;
        }

        public Builder resize(Resize method) { return resize(method.name()); }

        public Builder inputSize(int height, int width) {
            this.inputHeight = height;
            this.inputWidth = width;
            return this;
        }

        public Builder inputType(String type) {
            this.inputType = type;
            return this;
        }

        public Builder outputType(String type) {
            this.outputType = type;
            return this;
        }

        public Builder mlpackVersion(String version) {
            this.mlpackVersion = version;
            return this;
        }

        /** Replaces the extras. */
        public Builder extra(Map<String, String> extra) {
            this.extra.clear();
            this.extra.putAll(extra);
            return this;
        }

        public Builder extra(String key, String value) {
            this.extra.put(key, value);
            return this;
        }

        /** 1 (grayscale) or 3 (RGB); 0 leaves it unrecorded. */
        public Builder inputChannels(int channels) {
            this.inputChannels = channels;
            return this;
        }

        /** The classifier output's name and activation; a null activation (with any name) leaves both unrecorded. */
        public Builder classifierOutput(String name, OutputActivation activation) {
            this.classifierOutput = activation == null ? "" : name;
            this.outputActivation = activation == null ? "" : activation.metadataName();
            return this;
        }

        public ModelInfo build() {
            return new ModelInfo(name, description, labels, preprocess, resize, inputHeight, inputWidth, inputType,
                    outputType, mlpackVersion, extra, inputChannels, classifierOutput, outputActivation);
        }
    }
}
