package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.runtime.classifier.ImageClassifier;
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
            ImageClassifier.Runner busy = p.borrow(System.nanoTime());
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
    void imagesWaitForDecodingMemoryAndOneThatCanNeverFitIs413() throws Exception {
        byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag")); // 28 x 28: 4,704 bytes to decode
        assertEquals(28 * 28, DecodeBudget.pixels(png));
        assertEquals(-1, DecodeBudget.pixels(new byte[] {1, 2, 3}));
        DecodeBudget budget = new DecodeBudget(8 * 1024);
        ServerConfig config = ServerConfig.builder(TestModels.sampleInt8()).build();
        try (Predictor p = Predictor.load(config, 1, budget)) {
            DecodeBudget.Lease most = budget.acquire(RobustnessTest.pngClaiming(32, 32), System.nanoTime()); // 6 KB of 8
            HttpError wait = assertThrows(HttpError.class, () -> p.predict(List.of(png), System.nanoTime() + 200_000_000L));
            assertEquals(503, wait.status);
            budget.release(most);
            assertEquals(10, p.predict(List.of(png), System.nanoTime() + 200_000_000L).getFirst().values().length);
            HttpError never = assertThrows(HttpError.class,
                    () -> p.predict(List.of(RobustnessTest.pngClaiming(64, 64)), System.nanoTime() + 200_000_000L));
            assertEquals(413, never.status);
            assertTrue(never.getMessage().contains("more than this server's decoding memory"), never.getMessage());
        }
    }

    @Test
    void theBudgetIsTwoThirdsOfTheHeapKeepingAtLeast48MB() {
        assertEquals((160L << 20) - (160L << 20) / 3, DecodeBudget.forHeap(160L << 20).bytes());
        assertEquals(48L << 20, DecodeBudget.forHeap(96L << 20).bytes(), "keeps 48 MB when a third is less");
        assertEquals(1024L << 20, DecodeBudget.forHeap(1536L << 20).bytes());
        assertEquals(16L << 20, DecodeBudget.forHeap(32L << 20).bytes(), "never under 16 MB");
    }

    @Test
    void labelsThatDoNotMatchTheOutputsAreRefused() {
        ServerConfig config = ServerConfig.builder(TestModels.sampleInt8()).labels(List.of("a", "b")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Predictor.load(config, 1));
        assertTrue(e.getMessage().contains("--labels names 2 classes but the classifier output 'output_0' scores 10"), e.getMessage());
    }
}
