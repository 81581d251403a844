package dev.mlpack.optimizer.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mlpack.runtime.metadata.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.support.metadata.schema.AssociatedFile;
import org.tensorflow.lite.support.metadata.schema.AssociatedFileType;
import org.tensorflow.lite.support.metadata.schema.ColorSpaceType;
import org.tensorflow.lite.support.metadata.schema.Content;
import org.tensorflow.lite.support.metadata.schema.ContentProperties;
import org.tensorflow.lite.support.metadata.schema.FeatureProperties;
import org.tensorflow.lite.support.metadata.schema.ImageProperties;
import org.tensorflow.lite.support.metadata.schema.ImageSize;
import org.tensorflow.lite.support.metadata.schema.ModelMetadata;
import org.tensorflow.lite.support.metadata.schema.NormalizationOptions;
import org.tensorflow.lite.support.metadata.schema.ProcessUnit;
import org.tensorflow.lite.support.metadata.schema.ProcessUnitOptions;
import org.tensorflow.lite.support.metadata.schema.Stats;
import org.tensorflow.lite.support.metadata.schema.SubGraphMetadata;
import org.tensorflow.lite.support.metadata.schema.TensorMetadata;

/**
 * Turns a {@link ModelInfo} into what goes into an mlpack {@code .tflite} so that it carries its labels and its
 * preprocessing: two {@code Model.metadata} buffers and a zip of associated files to append after the flatbuffer.
 *
 * <ul>
 *   <li>{@value #TFLITE_METADATA}: the standard TFLite {@code ModelMetadata} flatbuffer (identifier {@code M001}),
 *       read by the TFLite Support / Task / MediaPipe libraries and Netron. It describes one subgraph with one image
 *       input and one output whose class names are the associated file {@value #LABELS_FILE}
 *       ({@code TENSOR_AXIS_LABELS}). It only uses schema 1.0.0 fields, hence {@code min_parser_version}
 *       {@value #MIN_PARSER_VERSION} (per the schema's version table: everything later, such as subgraph-level
 *       process units, tensor groups, AssociatedFile.version or custom metadata, is left out).</li>
 *   <li>{@value ModelInfo#METADATA_NAME}: {@link ModelInfo#toJson()} in UTF-8, all fields exactly, for mlpack's own
 *       reader ({@link ModelInfo#read}), which therefore never has to infer the mode from normalization numbers.</li>
 * </ul>
 *
 * <p><b>How the preprocessing is expressed in the standard metadata.</b> The input tensor gets an image
 * {@code Content} ({@code ImageProperties}, RGB, default size = input size) and one {@code NormalizationOptions}
 * process unit. Per the schema, a reader computes {@code tensor = (pixel - mean[c]) / std[c]} per channel {@code c} of
 * the tensor, from pixels 0..255. The input {@code Stats} hold the resulting per-channel min and max.
 * <ul>
 *   <li>{@code uint8} input (mlpack's default for int8 models): the tensor takes raw RGB pixels and the preprocessing,
 *       whatever the mode, runs inside the model, so the normalization is the identity, mean {@code 0}, std
 *       {@code 1}, stats 0..255. (TFLite tools ignore normalization on uint8 inputs anyway.)</li>
 *   <li>{@code float32} input, and {@code int8} input (which takes the same preprocessed values, then quantized with
 *       the input tensor's own scale and zero point):
 *     <ul>
 *       <li>{@code tf} ({@code x / 127.5 - 1}): mean {@code 127.5}, std {@code 127.5} on every channel;</li>
 *       <li>{@code torch} ({@code (x / 255 - m) / s}): mean {@code 255 m = [123.675, 116.28, 103.53]}, std
 *           {@code 255 s = [58.395, 57.12, 57.375]} (equal up to float rounding);</li>
 *       <li>{@code caffe} (RGB to BGR, minus the BGR means): the tensor is BGR, which the schema's color spaces
 *           cannot say, so the color space is {@code UNKNOWN} (and the description says BGR) and mean is
 *           {@code [103.939, 116.779, 123.68]}, std {@code 1}, in the tensor's BGR order;</li>
 *       <li>{@code raw}: mean {@code 0}, std {@code 1}.</li>
 *     </ul></li>
 * </ul>
 *
 * <p><b>The trailer</b> is a {@link StoredZip stored, deterministic zip} holding {@value #LABELS_FILE} (one label per
 * line, each ending in {@code \n}); it is empty when there are no labels. Offsets in it must be absolute positions in
 * the model file (the TFLite Java {@code MetadataExtractor} requires that, and it is what the official Python
 * populator writes): {@link Encoded#trailer()} is the standalone zip, valid only at offset 0, and
 * {@link Encoded#trailerAt(long)} the same zip for appending after that many bytes. So write the model with the
 * metadata buffers and then {@link Encoded#appendTo(byte[]) append}; or, since the flatbuffer does not depend on the
 * trailer, pass {@code trailerAt(flatbufferLength)} to {@link TfliteWriter.Options.Builder#trailer}.
 */
public final class MetadataWriter {
    /** The metadata entry name TFLite tools look for. */
    public static final String TFLITE_METADATA = "TFLITE_METADATA";
    /** The associated labels file, in the trailer zip and named by the output tensor's metadata. */
    public static final String LABELS_FILE = "labels.txt";
    /** The oldest metadata parser that understands every field written here. */
    public static final String MIN_PARSER_VERSION = "1.0.0";

    private static final float[] TORCH_MEAN = {123.675f, 116.28f, 103.53f}; // 255 * [0.485, 0.456, 0.406]
    private static final float[] TORCH_STD = {58.395f, 57.12f, 57.375f}; // 255 * [0.229, 0.224, 0.225]
    private static final float[] CAFFE_BGR_MEAN = {103.939f, 116.779f, 123.68f};

    private MetadataWriter() {}

    /**
     * The metadata buffers, by {@code Model.metadata} name in writing order ({@value #TFLITE_METADATA}, then
     * {@value ModelInfo#METADATA_NAME}), and the zip of associated files as a standalone archive (see
     * {@link #trailerAt}).
     */
    public record Encoded(Map<String, byte[]> metadataBuffers, byte[] trailer) {
        public Encoded {
            Map<String, byte[]> copy = new LinkedHashMap<>();
            metadataBuffers.forEach((k, v) -> copy.put(k, v.clone()));
            metadataBuffers = Collections.unmodifiableMap(copy);
            trailer = trailer.clone();
        }

        /** A copy of the standalone zip (offsets from 0). */
        @Override
        public byte[] trailer() { return trailer.clone(); }

        /** The zip addressed for appending after {@code prefixLength} bytes, e.g. the model's flatbuffer. */
        public byte[] trailerAt(long prefixLength) { return StoredZip.rebase(trailer, prefixLength); }

        /** {@code flatbuffer} followed by {@link #trailerAt trailerAt(flatbuffer.length)}. */
        public byte[] appendTo(byte[] flatbuffer) {
            byte[] zip = trailerAt(flatbuffer.length);
            byte[] out = Arrays.copyOf(flatbuffer, flatbuffer.length + zip.length);
            System.arraycopy(zip, 0, out, flatbuffer.length, zip.length);
            return out;
        }

        /** Adds the metadata buffers to {@code options} (not the trailer: see {@link #appendTo}). */
        public TfliteWriter.Options.Builder addMetadataTo(TfliteWriter.Options.Builder options) {
            metadataBuffers.forEach(options::metadata);
            return options;
        }
    }

    /** Encodes {@code info} for a model with one output; the same info always gives byte-identical results. */
    public static Encoded encode(ModelInfo info) {
        return encode(info, List.of(info.classifierOutput()));
    }

    /**
     * Encodes {@code info} for a model whose outputs are named {@code outputNames}, in order: each output gets its
     * tensor metadata, and the classifier output ({@link ModelInfo#classifierOutput()}, or the only output) the
     * labels, so that readers of the standard metadata find them on the right tensor.
     */
    public static Encoded encode(ModelInfo info, List<String> outputNames) {
        Map<String, byte[]> buffers = new LinkedHashMap<>();
        buffers.put(TFLITE_METADATA, modelMetadata(info, outputNames));
        buffers.put(ModelInfo.METADATA_NAME, info.toJsonBytes());
        byte[] trailer = info.labels().isEmpty() ? new byte[0]
                : StoredZip.write(Map.of(LABELS_FILE, labelsFile(info)), 0);
        return new Encoded(buffers, trailer);
    }

    /** The labels, one per line, each ending in a newline. */
    static byte[] labelsFile(ModelInfo info) {
        StringBuilder sb = new StringBuilder();
        for (String label : info.labels()) sb.append(label).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Per-channel normalization of the input tensor (in the tensor's channel order) and its color space. */
    record Normalization(float[] mean, float[] std, byte colorSpace, String summary) {
        float[] min() { return range(0f); }

        float[] max() { return range(255f); }

        private float[] range(float pixel) {
            float[] r = new float[mean.length];
            for (int c = 0; c < r.length; c++) r[c] = (pixel - mean[c]) / std[c];
            return r;
        }
    }

    static Normalization normalization(ModelInfo info) {
        if (info.inputChannels() == 1) return grayscaleNormalization(info);
        float[] zero = {0f, 0f, 0f}, one = {1f, 1f, 1f};
        if (info.inputType().equals("uint8")) {
            return new Normalization(zero, one, ColorSpaceType.RGB, "raw RGB pixels 0..255; the '" + info.preprocess()
                    + "' preprocessing runs inside the model");
        }
        String quantized = info.inputType().equals("int8") ? ", then quantized with the input tensor's scale and zero point" : "";
        return switch (info.preprocessMode()) {
            case TF -> new Normalization(fill(127.5f), fill(127.5f), ColorSpaceType.RGB,
                    "RGB, preprocessing 'tf': x / 127.5 - 1" + quantized);
            case TORCH -> new Normalization(TORCH_MEAN.clone(), TORCH_STD.clone(), ColorSpaceType.RGB,
                    "RGB, preprocessing 'torch': (x / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]" + quantized);
            case CAFFE -> new Normalization(CAFFE_BGR_MEAN.clone(), one, ColorSpaceType.UNKNOWN,
                    "BGR channel order, preprocessing 'caffe': RGB to BGR, minus [103.939, 116.779, 123.68]" + quantized);
            case RAW -> new Normalization(zero, one, ColorSpaceType.RGB, "RGB pixels 0..255, preprocessing 'raw'" + quantized);
        };
    }

    /**
     * One channel: the image's luma (PIL's "L" conversion, as Keras' {@code color_mode="grayscale"}), normalised by
     * the per-value modes that work on one channel (tf, raw).
     */
    private static Normalization grayscaleNormalization(ModelInfo info) {
        float[] zero = {0f}, one = {1f};
        String luma = "grayscale (the image's ITU-R 601-2 luma, as PIL's convert(\"L\"))";
        if (info.inputType().equals("uint8")) {
            return new Normalization(zero, one, ColorSpaceType.GRAYSCALE, luma + " pixels 0..255; the '" + info.preprocess()
                    + "' preprocessing runs inside the model");
        }
        String quantized = info.inputType().equals("int8") ? ", then quantized with the input tensor's scale and zero point" : "";
        return info.preprocessMode() == dev.mlpack.runtime.image.Preprocess.TF
                ? new Normalization(new float[] {127.5f}, new float[] {127.5f}, ColorSpaceType.GRAYSCALE,
                        luma + ", preprocessing 'tf': x / 127.5 - 1" + quantized)
                : new Normalization(zero, one, ColorSpaceType.GRAYSCALE, luma + " 0..255, preprocessing 'raw'" + quantized);
    }

    private static float[] fill(float v) { return new float[] {v, v, v}; }

    /** The {@code ModelMetadata} flatbuffer. */
    static byte[] modelMetadata(ModelInfo info, List<String> outputNames) {
        FlatBufferBuilder fb = new FlatBufferBuilder(1024);
        Normalization norm = normalization(info);

        // input: image content, normalization, stats
        int imageSize = info.hasInputSize() ? ImageSize.createImageSize(fb, info.inputWidth(), info.inputHeight()) : 0;
        int imageProps = ImageProperties.createImageProperties(fb, norm.colorSpace(), imageSize);
        int inputContent = Content.createContent(fb, ContentProperties.ImageProperties, imageProps, 0);
        int normOptions = NormalizationOptions.createNormalizationOptions(fb,
                NormalizationOptions.createMeanVector(fb, norm.mean()), NormalizationOptions.createStdVector(fb, norm.std()));
        int normUnit = ProcessUnit.createProcessUnit(fb, ProcessUnitOptions.NormalizationOptions, normOptions);
        int inputStats = Stats.createStats(fb, Stats.createMaxVector(fb, norm.max()), Stats.createMinVector(fb, norm.min()));
        String size = info.hasInputSize() ? info.inputHeight() + "x" + info.inputWidth() + " " : "";
        int input = TensorMetadata.createTensorMetadata(fb, fb.createString("image"),
                fb.createString("Input image " + size + "(" + info.inputType() + "), resized '" + info.resize() + "': "
                        + norm.summary() + "."), 0, inputContent,
                TensorMetadata.createProcessUnitsVector(fb, new int[] {normUnit}), inputStats, 0);

        // outputs: the classifier's scores with their labels; any other output as the model returns it
        int[] outputs = new int[Math.max(1, outputNames.size())];
        for (int i = 0; i < outputs.length; i++) {
            boolean classifier = outputNames.size() <= 1 || outputNames.get(i).equals(info.classifierOutput());
            outputs[i] = classifier ? classifierOutputMetadata(fb, info)
                    : TensorMetadata.createTensorMetadata(fb, fb.createString(outputNames.get(i)), fb.createString("Output '"
                            + outputNames.get(i) + "', as the model computes it (not the classifier output '" + info.classifierOutput()
                            + "')."), 0, featureContent(fb), 0, 0, 0);
        }

        int subgraph = SubGraphMetadata.createSubGraphMetadata(fb, fb.createString("main"), 0,
                SubGraphMetadata.createInputTensorMetadataVector(fb, new int[] {input}),
                SubGraphMetadata.createOutputTensorMetadataVector(fb, outputs), 0, 0, 0, 0, 0, 0);
        String description = info.description().isEmpty()
                ? "Image classifier converted to TFLite by mlpack (preprocessing '" + info.preprocess() + "')."
                : info.description();
        int model = ModelMetadata.createModelMetadata(fb, fb.createString(info.name()), fb.createString(description),
                info.mlpackVersion().isEmpty() ? 0 : fb.createString(info.mlpackVersion()),
                ModelMetadata.createSubgraphMetadataVector(fb, new int[] {subgraph}), 0, 0, 0,
                fb.createString(MIN_PARSER_VERSION));
        ModelMetadata.finishModelMetadataBuffer(fb, model);
        return fb.sizedByteArray();
    }

    private static int featureContent(FlatBufferBuilder fb) {
        FeatureProperties.startFeatureProperties(fb);
        int featureProps = FeatureProperties.endFeatureProperties(fb);
        return Content.createContent(fb, ContentProperties.FeatureProperties, featureProps, 0);
    }

    /** The classifier output: its labels, and what its values are (probabilities, or logits mlpack scores). */
    private static int classifierOutputMetadata(FlatBufferBuilder fb, ModelInfo info) {
        int outputContent = featureContent(fb);
        int outputFiles = 0;
        if (!info.labels().isEmpty()) {
            int labels = AssociatedFile.createAssociatedFile(fb, fb.createString(LABELS_FILE),
                    fb.createString("Class names, one per line, in output order."), AssociatedFileType.TENSOR_AXIS_LABELS, 0, 0);
            outputFiles = TensorMetadata.createAssociatedFilesVector(fb, new int[] {labels});
        }
        String what = switch (info.outputActivation()) {
            case "none" -> " These are logits: apply a softmax (a sigmoid for one unit, then [1-p, p]) for probabilities.";
            case "sigmoid" -> " Sigmoid units; a single unit is P(class 1), and class 0 scores 1-p.";
            default -> "";
        };
        return TensorMetadata.createTensorMetadata(fb, fb.createString("probability"),
                fb.createString((info.labels().isEmpty() ? "Class scores (" + info.outputType() + ")."
                        : "Scores of the " + info.labels().size() + " classes in " + LABELS_FILE + " (" + info.outputType() + ").")
                        + what),
                0, outputContent, 0, 0, outputFiles);
    }
}
