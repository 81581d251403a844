package dev.mlpack.runtime.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TfliteInterpreterTest {

    static TfliteModel floatModel;
    static TfliteModel int8Model;
    static TfliteModel uint8Model;

    @BeforeAll
    static void load() {
        floatModel = TfliteModel.fromBytes(TinyModels.bytes("tiny_float.tflite"), "tiny_float");
        int8Model = TfliteModel.fromBytes(TinyModels.bytes("tiny_int8.tflite"), "tiny_int8");
        uint8Model = TfliteModel.fromBytes(TinyModels.bytes("tiny_uint8.tflite"), "tiny_uint8");
    }

    @AfterAll
    static void close() {
        floatModel.close();
        int8Model.close();
        uint8Model.close();
    }

    @Test
    void describesInputsAndOutputs() {
        try (TfliteInterpreter it = floatModel.newInterpreter()) {
            assertEquals(1, it.inputs().size());
            TensorInfo in = it.input(0);
            assertEquals("serving_default_image:0", in.name());
            assertEquals(DataType.FLOAT32, in.dataType());
            assertArrayEquals(new int[] {1, 4, 4, 3}, in.shape());
            assertFalse(in.quantization().isQuantized());
            TensorInfo out = it.output(0);
            assertEquals(DataType.FLOAT32, out.dataType());
            assertArrayEquals(new int[] {1, 2}, out.shape());
        }
    }

    @Test
    void describesQuantizedInputsAndOutputs() {
        try (TfliteInterpreter it = int8Model.newInterpreter()) {
            TensorInfo in = it.input(0);
            assertEquals(DataType.INT8, in.dataType());
            // The representative data spanned [0, 1], so int8 -128..127 covers it with scale 1/255.
            assertEquals(1 / 255.0, in.quantization().scale(), 1e-4);
            assertEquals(-128, in.quantization().zeroPoint());
            assertEquals(DataType.INT8, it.output(0).dataType());
            assertTrue(it.output(0).quantization().isQuantized());
        }
        try (TfliteInterpreter it = uint8Model.newInterpreter()) {
            assertEquals(DataType.UINT8, it.input(0).dataType());
            assertEquals(0, it.input(0).quantization().zeroPoint());
            assertEquals(DataType.UINT8, it.output(0).dataType());
        }
    }

    @ParameterizedTest
    @EnumSource(XnnpackMode.class)
    void floatModelComputesTheNetwork(XnnpackMode mode) {
        try (TfliteInterpreter it = floatModel.newInterpreter(InterpreterOptions.defaults().withXnnpack(mode))) {
            for (int seed = 0; seed < 3; seed++) {
                float[] image = TinyModels.image(seed);
                float[][] out = it.run(image);
                assertArrayEquals(TinyModels.logits(image), out[0], 1e-5f, "seed " + seed);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(XnnpackMode.class)
    void int8ModelQuantizesFloatInputsAndDequantizesOutputs(XnnpackMode mode) {
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.defaults().withXnnpack(mode))) {
            float outScale = it.output(0).quantization().scale();
            for (int seed = 0; seed < 3; seed++) {
                float[] image = TinyModels.image(seed);
                float[] got = it.run(image)[0];
                // A few output quantization steps of error are inherent to int8.
                assertArrayEquals(TinyModels.logits(image), got, 3 * outScale, "seed " + seed);
            }
        }
    }

    @Test
    void rawBytesInAndOutOfAUint8Model() {
        try (TfliteInterpreter it = uint8Model.newInterpreter()) {
            byte[] pixels = new byte[48];
            float[] asFloat = new float[48];
            float inScale = it.input(0).quantization().scale();
            for (int k = 0; k < pixels.length; k++) {
                int v = (k * 53) % 256;
                pixels[k] = (byte) v;
                asFloat[k] = v * inScale;
            }
            it.setInput(0, pixels);
            it.invoke();
            byte[] raw = it.outputBytes(0);
            float[] deq = it.outputFloats(0);
            var q = it.output(0).quantization();
            for (int j = 0; j < 2; j++) {
                assertEquals(q.scale() * ((raw[j] & 0xFF) - q.zeroPoint()), deq[j], 1e-6f);
            }
            assertArrayEquals(TinyModels.logits(asFloat), deq, 3 * q.scale());
        }
    }

    @Test
    void int8IsFullyDelegatedOnlyWhenXnnpackInt8IsEnabled() {
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.defaults())) {
            assertTrue(it.isXnnpackApplied());
            assertEquals(1, it.executionPlanSize(), "conv, mean and fully-connected become one XNNPACK node");
        }
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.defaults().withXnnpack(XnnpackMode.FLOAT_ONLY))) {
            assertEquals(3, it.executionPlanSize(), "without QS8 XNNPACK takes none of the int8 ops");
        }
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.defaults().withXnnpack(XnnpackMode.OFF))) {
            assertFalse(it.isXnnpackApplied());
            assertEquals(3, it.executionPlanSize());
        }
    }

    @Test
    void tfliteDefaultXnnpackDelegateIsNeverAppliedBehindOurBack() {
        // TFLite would apply its own XNNPACK delegate to a float model by default, collapsing the
        // three nodes into one. With XNNPACK off the plan must keep all three.
        try (TfliteInterpreter it = floatModel.newInterpreter(InterpreterOptions.defaults().withXnnpack(XnnpackMode.OFF))) {
            assertEquals(3, it.executionPlanSize());
        }
        try (TfliteInterpreter it = floatModel.newInterpreter(InterpreterOptions.defaults().withXnnpack(XnnpackMode.FLOAT_ONLY))) {
            assertEquals(1, it.executionPlanSize());
        }
    }

    @Test
    void intermediateTensorsAreReadableWhenPreserved() {
        try (TfliteInterpreter it = floatModel.newInterpreter(InterpreterOptions.forInspection())) {
            float[] image = TinyModels.image(7);
            it.run(image);
            TensorInfo conv = findByShape(it, new int[] {1, 4, 4, 2});
            assertArrayEquals(TinyModels.convRelu(image), it.readTensorFloats(conv.index()), 1e-6f);
        }
    }

    @Test
    void aFloatTensorViewShowsTheTensorInPlaceUntilTheInterpreterCloses() {
        java.lang.foreign.MemorySegment view;
        try (TfliteInterpreter it = floatModel.newInterpreter(InterpreterOptions.forInspection())) {
            TensorInfo conv = findByShape(it, new int[] {1, 4, 4, 2});
            view = it.floatTensorView(conv.index());
            it.run(TinyModels.image(3));
            float[] seen = view.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED);
            assertArrayEquals(it.readTensorFloats(conv.index()), seen, "the view reads the values after the invoke");
            assertArrayEquals(TinyModels.convRelu(TinyModels.image(3)), seen, 1e-6f);
            assertTrue(view.isReadOnly());
        }
        java.lang.foreign.MemorySegment closedView = view;
        assertThrows(IllegalStateException.class, () -> closedView.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0),
                "a view outlives no interpreter");
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.forInspection())) {
            assertThrows(IllegalArgumentException.class, () -> findAndView(it, DataType.INT8), "only float32 tensors have a float view");
        }
    }

    /** The view of the first tensor of {@code type}. */
    private static java.lang.foreign.MemorySegment findAndView(TfliteInterpreter it, DataType type) {
        for (int i = 0; i < it.tensorCount(); i++) {
            if (it.tensor(i).dataType() == type) {
                return it.floatTensorView(i);
            }
        }
        throw new AssertionError("no " + type + " tensor");
    }

    @Test
    void perChannelWeightsAreDequantizedPerChannel() {
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.forInspection())) {
            // TFLite stores the 1x1 conv kernel as [out=2][1][1][in=3], quantized per output channel.
            TensorInfo kernel = findByShape(it, new int[] {2, 1, 1, 3});
            assertEquals(DataType.INT8, kernel.dataType());
            assertTrue(kernel.quantization().isPerChannel());
            assertEquals(0, kernel.quantization().quantizedDimension());
            float[] w = it.readTensorFloats(kernel.index());
            float[] scales = kernel.quantization().scales();
            for (int o = 0; o < 2; o++) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(TinyModels.CONV_W[i][o], w[o * 3 + i], scales[o] / 2 + 1e-7f);
                }
            }
        }
    }

    @Test
    void everyTensorCanBeDescribed() {
        try (TfliteInterpreter it = int8Model.newInterpreter(InterpreterOptions.forInspection())) {
            assertTrue(it.tensorCount() >= 9);
            for (int i = 0; i < it.tensorCount(); i++) {
                assertEquals(i, it.tensor(i).index());
            }
            assertThrows(IndexOutOfBoundsException.class, () -> it.tensor(it.tensorCount()));
        }
    }

    @Test
    void interpretersOnSeveralThreadsShareOneModel() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    try (TfliteInterpreter it = floatModel.newInterpreter()) {
                        for (int r = 0; r < 50; r++) {
                            float[] image = TinyModels.image(seed + r);
                            assertArrayEquals(TinyModels.logits(image), it.run(image)[0], 1e-5f);
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aModelClosedWhileInterpretersAreOpenStaysValidUntilTheyClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.tflite");
        Files.write(file, TinyModels.bytes("tiny_float.tflite"));
        TfliteModel model = TfliteModel.load(file);
        TfliteInterpreter it = model.newInterpreter();
        model.close();
        float[] image = TinyModels.image(1);
        assertArrayEquals(TinyModels.logits(image), it.run(image)[0], 1e-5f);
        assertThrows(IllegalStateException.class, model::newInterpreter);
        it.close();
        it.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> it.run(image));
    }

    @Test
    void rejectsInvalidModelsAndInputs() {
        assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        byte[] truncated = java.util.Arrays.copyOf(TinyModels.bytes("tiny_float.tflite"), 1000);
        assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(truncated));
        try (TfliteInterpreter it = floatModel.newInterpreter()) {
            var e = assertThrows(IllegalArgumentException.class, () -> it.run(new float[10]));
            assertTrue(e.getMessage().contains("48 elements"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> it.setInput(0, new byte[48]));
        }
    }

    @Test
    void preservingTensorsRequiresXnnpackOff() {
        assertThrows(IllegalArgumentException.class, () -> new InterpreterOptions(1, XnnpackMode.INT8, true));
    }

    private static TensorInfo findByShape(TfliteInterpreter it, int[] shape) {
        for (int i = 0; i < it.tensorCount(); i++) {
            TensorInfo t = it.tensor(i);
            if (java.util.Arrays.equals(t.shape(), shape)) {
                return t;
            }
        }
        throw new AssertionError("no tensor of shape " + java.util.Arrays.toString(shape));
    }
}
