package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.tflite.TfliteInterpreter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interpreter pool: a request waits for a worker only until its deadline. */
class PredictorTest {
    @Test
    void noWorkerFreeBeforeTheDeadlineIs503AndTheWorkerServesAgainWhenBack() throws Exception {
        ServerConfig config = ServerConfig.builder(TestModels.sampleInt8()).timeout(Duration.ofMillis(300)).build();
        try (Predictor p = Predictor.load(config, 1)) {
            List<byte[]> image = List.of(Files.readAllBytes(TestModels.sampleImage("Bag")));
            TfliteInterpreter busy = p.borrow(System.nanoTime());
            assertEquals(0, p.idleWorkers());
            long t0 = System.nanoTime();
            HttpError e = assertThrows(HttpError.class, () -> p.predict(image, System.nanoTime() + config.timeout().toNanos()));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, e.status);
            assertEquals(1, e.retryAfter);
            assertTrue(waitedMs >= 250 && waitedMs < 5000, "waited until the deadline: " + waitedMs + " ms");
            p.giveBack(busy);
            float[] scores = p.predict(image, System.nanoTime() + config.timeout().toNanos()).getFirst().values();
            assertEquals(10, scores.length);
            assertEquals(1, p.idleWorkers());
        }
    }

    @Test
    void labelsThatDoNotMatchTheOutputsAreRefused() {
        ServerConfig config = ServerConfig.builder(TestModels.sampleInt8()).labels(List.of("a", "b")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Predictor.load(config, 1));
        assertTrue(e.getMessage().contains("--labels names 2 labels but the model has 10 outputs"), e.getMessage());
    }
}
