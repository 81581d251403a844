package dev.mlpack.optimizer.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;

/**
 * Pruned conversions of the bundled sample: zeros survive int8 quantization, the gzip size drops, and the sparse
 * encoding shrinks the file while the stock interpreter computes exactly what the dense model does.
 */
class PrunedConversionTest {
    @TempDir static Path tmp;
    static CalibrationSet calibration;

    @BeforeAll
    static void loadCalibration() {
        calibration = CalibrationSet.load(Samples.root().resolve("images"), 20,
                new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.TF), dev.mlpack.optimizer.progress.Progress.none());
    }

    static ConversionResult convert(String name, Quantize q, PruneSettings prune, boolean sparse) {
        ConversionRequest.Builder b = ConversionRequest.builder(Samples.model(), tmp.resolve(name + ".tflite"))
                .quantize(q).prune(prune).sparseEncoding(sparse);
        if (q == Quantize.INT8) b.calibrationSet(calibration);
        return Converter.convert(b.build());
    }

    /** Zero-valued int8 weights in the kernels (input 1) of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED. */
    static long int8KernelZeros(Path file) throws Exception {
        Model m = Model.getRootAsModel(ByteBuffer.wrap(Files.readAllBytes(file)));
        SubGraph g = m.subgraphs(0);
        long zeros = 0;
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            int code = m.operatorCodes((int) op.opcodeIndex()).builtinCode();
            if (code != BuiltinOperator.CONV_2D && code != BuiltinOperator.DEPTHWISE_CONV_2D
                    && code != BuiltinOperator.FULLY_CONNECTED) continue;
            Tensor t = g.tensors(op.inputs(1));
            ByteBuffer data = m.buffers((int) t.buffer()).dataAsByteBuffer();
            if (data == null) continue;
            for (int k = data.position(); k < data.limit(); k++) if (data.get(k) == 0) zeros++;
        }
        return zeros;
    }

    @Test
    void prunedZerosStayExactZerosInTheInt8ModelAndItCompressesBetter() throws Exception {
        ConversionResult dense = convert("int8", Quantize.INT8, PruneSettings.NONE, false);
        ConversionResult pruned = convert("int8-p50", Quantize.INT8, PruneSettings.of(0.5), false);
        assertEquals(0.5, pruned.pruning().prunedSparsity(), 0.02);
        long zerosBefore = int8KernelZeros(dense.output());
        long zerosAfter = int8KernelZeros(pruned.output());
        // every pruned weight is an int8 zero (weights that round to 0 add a few more)
        assertTrue(zerosAfter >= pruned.pruning().zeros() && zerosAfter <= pruned.pruning().zeros() + zerosBefore,
                "int8 zeros " + zerosBefore + " -> " + zerosAfter + ", pruned " + pruned.pruning().zeros());
        assertEquals(dense.bytes(), pruned.bytes(), "the dense layout keeps the file size");
        assertTrue(pruned.compressedBytes() < 0.9 * dense.compressedBytes(), dense.compressedBytes() + " -> " + pruned.compressedBytes());
        assertEquals(CompressedSize.of(Files.readAllBytes(pruned.output())), pruned.compressedBytes());
    }

    @Test
    void sparseEncodingShrinksTheFileAndComputesTheSameOutputs() throws Exception {
        // The least share of the pruned kernels' bytes saved. Ideal: float32 at 50%, 4 bytes saved per zero and a 1-byte
        // index per value kept: 0.375; int8 at 80%: 0.8 − 0.2 = 0.6; int8 at 50% in runs of 4: 0.5 − 0.125 = 0.375.
        // The sparse tensor repeats the per-channel quantization of its DENSIFY output (12 bytes per channel), which
        // the sample's many narrow layers feel.
        for (Object[] c : new Object[][] {
                {Quantize.NONE, PruneSettings.of(0.5), 0.3},
                {Quantize.INT8, PruneSettings.of(0.8), 0.3},
                {Quantize.INT8, PruneSettings.of(0.5).withBlock(4), 0.12}}) {
            Quantize q = (Quantize) c[0];
            PruneSettings p = (PruneSettings) c[1];
            double least = (double) c[2];
            String name = q.cliName() + "-" + p.fraction() + "-b" + p.block();
            ConversionResult dense = convert(name, q, p, false);
            ConversionResult sparse = convert(name + "-sparse", q, p, true);
            assertTrue(sparse.ops().getOrDefault("DENSIFY", 0) > 0, name + ": " + sparse.ops());
            // The file also holds metadata and dense layers: compare the saving with the pruned kernels' own bytes.
            long prunedKernelBytes = sparse.pruning().layers().stream().filter(PruneReport.Layer::pruned)
                    .mapToLong(PruneReport.Layer::weights).sum() * (q == Quantize.NONE ? 4 : 1);
            double saved = (dense.bytes() - sparse.bytes()) / (double) prunedKernelBytes;
            assertTrue(saved > least, name + ": " + dense.bytes() + " -> " + sparse.bytes() + " saves " + saved + " of " + prunedKernelBytes);
            assertSameOutputs(dense.output(), sparse.output(), name);
        }
    }

    @Test
    void sparseEncodingLeavesKernelsDenseWhenItWouldNotBeSmallerOrTheKernelIsHybrid() {
        ConversionResult r = convert("int8-p10-sparse", Quantize.INT8, PruneSettings.of(0.1), true);
        assertFalse(r.ops().containsKey("DENSIFY"), r.ops().toString());
        // dynamic-range (hybrid) kernels behind DENSIFY make TF 2.21's XNNPACK fail to prepare the model
        ConversionResult dynamic = convert("dynamic-p80-sparse", Quantize.DYNAMIC, PruneSettings.of(0.8), true);
        assertFalse(dynamic.ops().containsKey("DENSIFY"), dynamic.ops().toString());
    }

    /** Both models run in mlpack's Java runtime (XNNPACK on, as the server runs them) on the calibration images. */
    static void assertSameOutputs(Path a, Path b, String what) throws Exception {
        try (TfliteModel ma = TfliteModel.load(a); TfliteModel mb = TfliteModel.load(b);
             TfliteInterpreter ia = ma.newInterpreter(); TfliteInterpreter ib = mb.newInterpreter()) {
            boolean pixels = ia.input(0).dataType() == dev.mlpack.runtime.tflite.DataType.UINT8;
            for (int i = 0; i < 5; i++) {
                float[] x = calibration.input(i);
                if (pixels) {
                    byte[] px = toPixels(x);
                    ia.setInput(0, px);
                    ib.setInput(0, px);
                } else {
                    ia.setInput(0, x);
                    ib.setInput(0, x);
                }
                ia.invoke();
                ib.invoke();
                assertArrayEquals(ia.outputFloats(0), ib.outputFloats(0), 0f, what + " image " + i);
            }
        }
    }

    /** The tf-preprocessed floats back to 0..255 pixels. */
    private static byte[] toPixels(float[] x) {
        byte[] out = new byte[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (byte) Math.max(0, Math.min(255, Math.round((x[i] + 1) * 127.5f)));
        return out;
    }

}
