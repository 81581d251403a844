package dev.mlpack.optimizer.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ops.Reductions;
import dev.mlpack.optimizer.ops.Storage;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.lite.support.metadata.MetadataExtractor;
import org.tensorflow.lite.support.metadata.schema.AssociatedFile;
import org.tensorflow.lite.support.metadata.schema.AssociatedFileType;
import org.tensorflow.lite.support.metadata.schema.ColorSpaceType;
import org.tensorflow.lite.support.metadata.schema.ContentProperties;
import org.tensorflow.lite.support.metadata.schema.ImageProperties;
import org.tensorflow.lite.support.metadata.schema.ModelMetadata;
import org.tensorflow.lite.support.metadata.schema.NormalizationOptions;
import org.tensorflow.lite.support.metadata.schema.ProcessUnit;
import org.tensorflow.lite.support.metadata.schema.ProcessUnitOptions;
import org.tensorflow.lite.support.metadata.schema.SubGraphMetadata;
import org.tensorflow.lite.support.metadata.schema.TensorMetadata;

class MetadataWriterTest {
    static final List<String> LABELS = List.of("cat", "dog \"good boy\"", "ünïcødé 😀");

    static ModelInfo info() {
        return ModelInfo.builder().name("tiny").description("a tiny test classifier").labels(LABELS).preprocess("torch")
                .resize("crop").inputSize(4, 4).inputType("uint8").outputType("float32").mlpackVersion("0.1.0")
                .extra("source", "unit test").build();
    }

    /** {@code image[1,4,4,3] (uint8 pixels, scale 1) -> DEQUANTIZE -> MEAN over H, W -> SOFTMAX -> [1,3]}. */
    static Graph tinyGraph(Map<Value, QuantParams> quantization) {
        Graph g = new Graph();
        Value pixels = g.addInput("image", DType.UINT8, Shape.of(1, 4, 4, 3));
        quantization.put(pixels, QuantParams.perTensor(DType.UINT8, 1f, 0));
        Value real = g.add(Storage.DEQUANTIZE, List.of(pixels), "dequantize", "input").output();
        Value axes = g.constant("axes", Constant.ofInts(1, 2));
        Value mean = g.add(Reductions.MEAN, List.of(real, axes), new Reductions.ReduceAttrs(false), "mean", "pool").output();
        Value probs = g.add(Activations.SOFTMAX, List.of(mean), new Activations.SoftmaxAttrs(1f), "softmax", "head").output();
        g.setOutput("probability", probs);
        return g;
    }

    static byte[] flatbuffer(MetadataWriter.Encoded encoded) {
        Map<Value, QuantParams> q = new java.util.IdentityHashMap<>();
        Graph g = tinyGraph(q);
        TfliteWriter.Options.Builder options = TfliteWriter.Options.builder().quantization(q);
        if (encoded != null) encoded.addMetadataTo(options);
        return TfliteWriter.write(g, options.build()).bytes();
    }

    static byte[] modelWithMetadata(ModelInfo info) {
        MetadataWriter.Encoded encoded = MetadataWriter.encode(info);
        return encoded.appendTo(flatbuffer(encoded));
    }

    @Test
    void roundTripsThroughAWrittenModel(@TempDir Path dir) throws IOException {
        byte[] model = modelWithMetadata(info());
        assertEquals(Optional.of(info()), ModelInfo.read(model));
        Path file = dir.resolve("tiny.tflite");
        Files.write(file, model);
        assertEquals(Optional.of(info()), ModelInfo.read(file));
        // labels-free info: no associated file, no trailer
        ModelInfo bare = info().toBuilder().labels(List.of()).build();
        MetadataWriter.Encoded encoded = MetadataWriter.encode(bare);
        assertEquals(0, encoded.trailer().length);
        assertEquals(Optional.of(bare), ModelInfo.read(encoded.appendTo(flatbuffer(encoded))));
    }

    /**
     * {@code runtime/src/test/resources/models/tiny_classifier.tflite}, the packager's and server's test model with mlpack
     * metadata: {@link #tinyGraph} (the mean colour's softmax) labelled red, green, blue, fed raw pixels. Its bytes are
     * what this writer writes, so the resource cannot drift from the format; after a deliberate format change, run with
     * {@code -Dmlpack.writeTestModels=true} once to rewrite it.
     */
    @Test
    void theCommittedTinyClassifierIsWhatTheWriterWrites() throws IOException {
        ModelInfo info = ModelInfo.builder().name("tiny_classifier").description("mean colour, softmax over the channels")
                .labels(List.of("red", "green", "blue")).preprocess("raw").resize("bilinear").inputSize(4, 4)
                .inputType("uint8").outputType("float32").mlpackVersion("0.1.0").build();
        byte[] written = modelWithMetadata(info);
        Path resource = Path.of(System.getProperty("mlpack.repo", "..")).toAbsolutePath().normalize()
                .resolve("runtime/src/test/resources/models/tiny_classifier.tflite");
        if (Boolean.getBoolean("mlpack.writeTestModels")) Files.write(resource, written);
        assertArrayEquals(written, Files.readAllBytes(resource), resource + " differs from what the writer writes");
        assertEquals(Optional.of(info), ModelInfo.read(resource));
    }

    @Test
    void modelWithoutMetadataReadsAsEmpty() {
        assertEquals(Optional.empty(), ModelInfo.read(flatbuffer(null)));
    }

    @Test
    void encodingIsDeterministic() {
        MetadataWriter.Encoded a = MetadataWriter.encode(info()), b = MetadataWriter.encode(info().toBuilder().build());
        assertEquals(List.of(MetadataWriter.TFLITE_METADATA, ModelInfo.METADATA_NAME), List.copyOf(a.metadataBuffers().keySet()));
        for (String name : a.metadataBuffers().keySet()) {
            assertArrayEquals(a.metadataBuffers().get(name), b.metadataBuffers().get(name), name);
        }
        assertArrayEquals(a.trailer(), b.trailer());
        assertArrayEquals(a.trailerAt(12345), b.trailerAt(12345));
        assertArrayEquals(modelWithMetadata(info()), modelWithMetadata(info()));
    }

    @Test
    void trailerIsAPlainStoredZipWithFixedTimestamps() throws IOException {
        MetadataWriter.Encoded encoded = MetadataWriter.encode(info());
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(encoded.trailer()))) {
            ZipEntry e = zip.getNextEntry();
            assertEquals(MetadataWriter.LABELS_FILE, e.getName());
            assertEquals(ZipEntry.STORED, e.getMethod());
            assertNull(e.getExtra());
            assertEquals(LocalDateTime.of(1980, 1, 1, 0, 0), e.getTimeLocal());
            assertEquals(String.join("\n", LABELS) + "\n", new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            assertNull(zip.getNextEntry());
        }
        // at its proper place after the flatbuffer it is still a valid zip for java.util.zip
        Path file = Files.createTempFile("model", ".tflite");
        try {
            Files.write(file, modelWithMetadata(info()));
            try (ZipFile zip = new ZipFile(file.toFile())) {
                assertEquals(String.join("\n", LABELS) + "\n",
                        new String(zip.getInputStream(zip.getEntry(MetadataWriter.LABELS_FILE)).readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void trailerCanAlsoGoThroughWriterOptions() {
        MetadataWriter.Encoded encoded = MetadataWriter.encode(info());
        byte[] plain = flatbuffer(encoded);
        Map<Value, QuantParams> q = new java.util.IdentityHashMap<>();
        Graph g = tinyGraph(q);
        TfliteWriter.Options options = encoded.addMetadataTo(TfliteWriter.Options.builder().quantization(q))
                .trailer(encoded.trailerAt(plain.length)).build();
        assertArrayEquals(encoded.appendTo(plain), TfliteWriter.write(g, options).bytes());
    }

    /**
     * Why {@link MetadataWriter.Encoded#trailerAt} exists: TFLite Support's Java reader takes zip offsets as positions
     * in the whole model file, so the standalone zip appended as is has no readable entries.
     */
    @Test
    void appendedZipNeedsOffsetsFromTheModelStart() throws IOException {
        MetadataWriter.Encoded encoded = MetadataWriter.encode(info());
        byte[] flatbuffer = flatbuffer(encoded);
        byte[] naive = java.util.Arrays.copyOf(flatbuffer, flatbuffer.length + encoded.trailer().length);
        System.arraycopy(encoded.trailer(), 0, naive, flatbuffer.length, encoded.trailer().length);
        assertEquals(Set.of(), new MetadataExtractor(ByteBuffer.wrap(naive)).getAssociatedFileNames());
        assertEquals(Set.of(MetadataWriter.LABELS_FILE),
                new MetadataExtractor(ByteBuffer.wrap(encoded.appendTo(flatbuffer))).getAssociatedFileNames());
    }

    /** The standard TFLite Support reader sees the model metadata, the input's normalization and the labels. */
    @Test
    void metadataExtractorReadsEverything() throws IOException {
        byte[] model = modelWithMetadata(info());
        MetadataExtractor ex = new MetadataExtractor(ByteBuffer.wrap(model));
        assertTrue(ex.hasMetadata());
        assertTrue(ex.isMinimumParserVersionSatisfied());
        ModelMetadata mm = ex.getModelMetadata();
        assertEquals("tiny", mm.name());
        assertEquals("a tiny test classifier", mm.description());
        assertEquals("0.1.0", mm.version());
        assertEquals(MetadataWriter.MIN_PARSER_VERSION, mm.minParserVersion());
        assertEquals(1, mm.subgraphMetadataLength());

        TensorMetadata in = ex.getInputTensorMetadata(0);
        assertEquals(ContentProperties.ImageProperties, in.content().contentPropertiesType());
        ImageProperties image = (ImageProperties) in.content().contentProperties(new ImageProperties());
        assertEquals(ColorSpaceType.RGB, image.colorSpace());
        assertEquals(4, image.defaultSize().width());
        assertEquals(4, image.defaultSize().height());
        NormalizationOptions norm = normalization(in);
        // uint8 input: the preprocessing is inside the model, the normalization the identity
        assertArrayEquals(new float[] {0, 0, 0}, floats(norm, true));
        assertArrayEquals(new float[] {1, 1, 1}, floats(norm, false));
        assertEquals(255f, in.stats().max(0));
        assertEquals(0f, in.stats().min(2));

        TensorMetadata out = ex.getOutputTensorMetadata(0);
        assertEquals(1, out.associatedFilesLength());
        AssociatedFile labels = out.associatedFiles(0);
        assertEquals(MetadataWriter.LABELS_FILE, labels.name());
        assertEquals(AssociatedFileType.TENSOR_AXIS_LABELS, labels.type());
        assertEquals(Set.of(MetadataWriter.LABELS_FILE), ex.getAssociatedFileNames());
        try (InputStream s = ex.getAssociatedFile(MetadataWriter.LABELS_FILE)) {
            assertEquals(LABELS, List.of(new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
        }
    }

    /** The TFLite interpreter ignores both the metadata and the appended zip. */
    @Test
    void interpreterRunsTheModelWithMetadata() {
        byte[] pixels = new byte[48];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i % 3 == 0 ? 200 : 10);
        float[] withMetadata = run(modelWithMetadata(info()), pixels), without = run(flatbuffer(null), pixels);
        assertArrayEquals(without, withMetadata);
        assertTrue(withMetadata[0] > 0.99f, "the red channel dominates");
    }

    private static float[] run(byte[] model, byte[] pixels) {
        try (TfliteModel m = TfliteModel.fromBytes(model); TfliteInterpreter it = m.newInterpreter()) {
            it.setInput(0, pixels);
            it.invoke();
            return it.outputFloats(0);
        }
    }

    /**
     * For float32 and int8 inputs, (pixel - mean) / std per tensor channel reproduces Keras' preprocess_input, with
     * caffe's tensor channels in BGR order (and the color space UNKNOWN, as the schema has no BGR).
     */
    @ParameterizedTest
    @CsvSource({"tf,float32", "torch,float32", "caffe,float32", "raw,float32", "tf,int8", "caffe,int8"})
    void normalizationExpressesThePreprocessing(String mode, String inputType) throws IOException {
        ModelInfo info = info().toBuilder().preprocess(mode).inputType(inputType).build();
        MetadataExtractor ex = new MetadataExtractor(ByteBuffer.wrap(modelWithMetadata(info)));
        TensorMetadata in = ex.getInputTensorMetadata(0);
        NormalizationOptions norm = normalization(in);
        float[] mean = floats(norm, true), std = floats(norm, false);
        boolean bgr = mode.equals("caffe");
        ImageProperties image = (ImageProperties) in.content().contentProperties(new ImageProperties());
        assertEquals(bgr ? ColorSpaceType.UNKNOWN : ColorSpaceType.RGB, image.colorSpace());
        assertTrue(in.description().contains(bgr ? "BGR" : "RGB"), in.description());
        Preprocess keras = Preprocess.parse(mode);
        for (float[] rgb : new float[][] {{0, 0, 0}, {255, 255, 255}, {12, 130, 251}}) {
            float[] expected = keras.apply(rgb); // in the model's channel order
            for (int c = 0; c < 3; c++) {
                float pixel = rgb[bgr ? 2 - c : c];
                float actual = (pixel - mean[c]) / std[c];
                assertEquals(expected[c], actual, 1e-5f * Math.max(1f, Math.abs(expected[c])), mode + " channel " + c);
            }
        }
        float[] zero = keras.apply(new float[] {0, 0, 0});
        for (int c = 0; c < 3; c++) assertEquals(zero[c], in.stats().min(c), 1e-4f);
    }

    @Test
    void aGrayscaleInputIsOneLumaChannel() {
        ModelInfo gray = info().toBuilder().preprocess("tf").inputType("float32").inputChannels(1).build();
        TensorMetadata in = standardMetadata(gray, List.of("probability")).subgraphMetadata(0).inputTensorMetadata(0);
        NormalizationOptions norm = normalization(in);
        assertArrayEquals(new float[] {127.5f}, floats(norm, true));
        assertArrayEquals(new float[] {127.5f}, floats(norm, false));
        ImageProperties image = (ImageProperties) in.content().contentProperties(new ImageProperties());
        assertEquals(ColorSpaceType.GRAYSCALE, image.colorSpace());
        assertTrue(in.description().contains("luma"), in.description());
    }

    @Test
    void theLabelsGoOnTheClassifierOutputOfSeveral() {
        ModelInfo twoHeads = info().toBuilder().classifierOutput("output_1", dev.mlpack.runtime.metadata.OutputActivation.NONE).build();
        SubGraphMetadata graph = standardMetadata(twoHeads, List.of("output_0", "output_1")).subgraphMetadata(0);
        assertEquals(2, graph.outputTensorMetadataLength(), "one entry per output tensor, in order");
        assertEquals("output_0", graph.outputTensorMetadata(0).name());
        assertEquals(0, graph.outputTensorMetadata(0).associatedFilesLength());
        TensorMetadata classifier = graph.outputTensorMetadata(1);
        assertEquals("probability", classifier.name());
        assertEquals(MetadataWriter.LABELS_FILE, classifier.associatedFiles(0).name());
        assertTrue(classifier.description().contains("logits: apply a softmax"), classifier.description());
    }

    private static ModelMetadata standardMetadata(ModelInfo info, List<String> outputs) {
        byte[] buffer = MetadataWriter.encode(info, outputs).metadataBuffers().get(MetadataWriter.TFLITE_METADATA);
        return ModelMetadata.getRootAsModelMetadata(ByteBuffer.wrap(buffer));
    }

    private static NormalizationOptions normalization(TensorMetadata in) {
        assertEquals(1, in.processUnitsLength());
        ProcessUnit unit = in.processUnits(0);
        assertEquals(ProcessUnitOptions.NormalizationOptions, unit.optionsType());
        return (NormalizationOptions) unit.options(new NormalizationOptions());
    }

    private static float[] floats(NormalizationOptions norm, boolean mean) {
        int n = mean ? norm.meanLength() : norm.stdLength();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = mean ? norm.mean(i) : norm.std(i);
        assertFalse(n == 0);
        return v;
    }
}
