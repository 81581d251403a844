package dev.mlpack.optimizer.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.passes.Pipeline;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/** The per-layer int8 → float fallback ({@code --float-layers}) on the bundled sample, and how layers are ranked for it. */
class FloatFallbackTest {
    @TempDir static Path tmp;
    static CalibrationSet calibration;
    static List<Int8Quantizer.LayerNoise> ranking;

    @BeforeAll
    static void rankLayers() {
        calibration = CalibrationSet.load(Samples.root().resolve("images"), 20,
                new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.TF), Progress.none());
        Graph folded = Converter.importGraph(Samples.model(), "serving_default").graph();
        Pipeline.optimize(folded);
        ranking = Int8Quantizer.weightNoise(folded);
    }

    static ConversionResult int8(String name, List<String> floatLayers) {
        return Converter.convert(ConversionRequest.builder(Samples.model(), tmp.resolve(name + ".tflite")).quantize(Quantize.INT8)
                .calibrationSet(calibration).floatLayers(floatLayers).build());
    }

    @Test
    void everyWeightedLayerIsRankedOnceWorstFirst() {
        assertTrue(ranking.size() >= 3, ranking.toString());
        assertEquals(ranking.size(), new HashSet<>(ranking.stream().map(Int8Quantizer.LayerNoise::layer).toList()).size());
        for (int i = 1; i < ranking.size(); i++) {
            assertTrue(ranking.get(i - 1).weightNoiseDb() >= ranking.get(i).weightNoiseDb(), ranking.toString());
        }
        // Rounding to 255 levels per channel costs between about -50 dB (Gaussian weights) and -20 dB (a few outliers).
        for (Int8Quantizer.LayerNoise l : ranking) assertTrue(l.weightNoiseDb() < -20 && l.weightNoiseDb() > -60, l.toString());
    }

    @Test
    void aLayerNamedInFloatLayersKeepsFloatWeightsAndTheRestStaysInt8() throws Exception {
        String worst = ranking.getFirst().layer();
        ConversionResult all = int8("all-int8", List.of());
        ConversionResult fallback = int8("fallback", List.of(worst));
        assertTrue(all.floatOps().isEmpty(), all.floatOps().toString());
        assertTrue(!fallback.floatOps().isEmpty(), "the named layer is reported among the float ops");

        List<Integer> floatKernels = kernelTypes(fallback.output(), TensorType.FLOAT32);
        List<Integer> int8Kernels = kernelTypes(fallback.output(), TensorType.INT8);
        assertEquals(1, floatKernels.size(), "one layer's kernel stays float32");
        assertEquals(kernelTypes(all.output(), TensorType.INT8).size() - 1, int8Kernels.size(), "every other kernel is int8");
        assertTrue(fallback.bytes() > all.bytes(), "float weights take 4 bytes each");

        // The model still computes the same classes: float weights only remove rounding error.
        try (TfliteModel a = TfliteModel.load(all.output()); TfliteModel f = TfliteModel.load(fallback.output());
             TfliteInterpreter ia = a.newInterpreter(); TfliteInterpreter iff = f.newInterpreter()) {
            int same = 0;
            for (int i = 0; i < calibration.size(); i++) {
                byte[] px = pixels(calibration.input(i));
                ia.setInput(0, px);
                iff.setInput(0, px);
                ia.invoke();
                iff.invoke();
                if (argmax(ia.outputFloats(0)) == argmax(iff.outputFloats(0))) same++;
            }
            assertTrue(same >= calibration.size() - 2, same + " of " + calibration.size());
        }
    }

    @Test
    void aPatternThatNamesNoLayerIsBadInputAndListsTheSensitiveLayers() {
        ConversionException e = assertThrows(ConversionException.class, () -> int8("none", List.of("no_such_layer*")));
        assertEquals(ConversionException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().contains("--float-layers no_such_layer* names no layer") && e.getMessage().contains(ranking.getFirst().layer()),
                e.getMessage());
    }

    @Test
    void floatLayersNeedInt8AndContradictRequireInt8() {
        ConversionRequest.Builder floatModel = ConversionRequest.builder(Samples.model(), tmp.resolve("x.tflite")).floatLayers(List.of("dense"));
        assertTrue(assertThrows(ConversionException.class, floatModel::build).getMessage().contains("needs --quantize int8"));
        ConversionRequest.Builder strict = ConversionRequest.builder(Samples.model(), tmp.resolve("x.tflite")).quantize(Quantize.INT8)
                .calibrationSet(calibration).floatLayers(List.of("dense")).requireInt8(true);
        assertTrue(assertThrows(ConversionException.class, strict::build).getMessage().contains("--require-int8"));
    }

    /** Indices of the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED ops whose kernel (input 1) has {@code type}. */
    static List<Integer> kernelTypes(Path file, int type) throws Exception {
        Model m = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(file)));
        SubGraph g = m.subgraphs(0);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            int code = m.operatorCodes((int) op.opcodeIndex()).builtinCode();
            boolean kernel = code == BuiltinOperator.CONV_2D || code == BuiltinOperator.DEPTHWISE_CONV_2D
                    || code == BuiltinOperator.FULLY_CONNECTED;
            // the preprocessing convolution in front of a uint8 input is not a layer of the model
            if (kernel && op.inputsLength() > 1 && g.tensors(op.inputs(1)).type() == type
                    && !g.tensors(op.inputs(1)).name().contains("/preprocess/")) out.add(i);
        }
        return out;
    }

    private static byte[] pixels(float[] tf) {
        byte[] out = new byte[tf.length];
        for (int i = 0; i < tf.length; i++) out[i] = (byte) Math.max(0, Math.min(255, Math.round((tf[i] + 1) * 127.5f)));
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
