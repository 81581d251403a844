package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The model side: inputs for decoded images and for TF Serving tensors, and labels that must match the outputs. */
class PredictorTest {
    @Test
    void aUint8ModelTakesRawPixelsAndTensorsOfIntegersFrom0To255() throws Exception {
        try (Predictor p = Predictor.load(ServerConfig.builder(TestModels.sampleInt8()).build(), 1)) {
            assertArrayEquals(new int[] {32, 32, 3}, p.instanceShape());
            byte[] png = java.nio.file.Files.readAllBytes(TestModels.sampleImage("Bag"));
            Predictor.ModelInput fromImage = p.decode(png, 0, png.length, "bag", dev.mlpack.runtime.image.InputDecoder.MemoryGate.NONE);
            assertArrayEquals(dev.mlpack.runtime.image.ImagePipeline.roundToUint8(p.decoder().resized(png, 0, png.length, "bag",
                    dev.mlpack.runtime.image.InputDecoder.MemoryGate.NONE)), fromImage.raw(), "resized pixels, rounded, not normalised");
            assertNull(fromImage.values());
            float[] tensor = new float[32 * 32 * 3];
            tensor[0] = 255;
            assertEquals((byte) 255, p.input(new TfServing.Tensor(tensor)).raw()[0]);
            tensor[1] = 256;
            HttpError e = assertThrows(HttpError.class, () -> p.input(new TfServing.Tensor(tensor)));
            assertEquals(400, e.status);
            assertTrue(e.getMessage().contains("integers from 0 to 255, got 256.0"), e.getMessage());
            tensor[1] = 0.5f;
            assertThrows(HttpError.class, () -> p.input(new TfServing.Tensor(tensor)));
            assertEquals(10, p.infer(fromImage).values().length);
            assertEquals(1, p.idleWorkers(), "the interpreter is back");
        }
    }

    @Test
    void labelsThatDoNotMatchTheOutputsAreRefused() {
        ServerConfig config = ServerConfig.builder(TestModels.sampleInt8()).labels(List.of("a", "b")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Predictor.load(config, 1));
        assertTrue(e.getMessage().contains("--labels names 2 classes but the classifier output 'output_0' scores 10"), e.getMessage());
    }
}
