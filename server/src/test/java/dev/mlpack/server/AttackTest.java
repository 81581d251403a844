package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The attack table: small, bounded versions of the attacks {@code bench/server_bench.sh attacks} runs at full size
 * (slow headers, heavy bodies, decode bombs, requests that outlast their deadline). Each names what the server must
 * do; every loop is bounded in count and time, and everything listens on loopback. The malformed-request half of the
 * table (431 for oversized headers, 400 for a bad Content-Length or URI escape, 413 for too many images, answers
 * given before the body is read) is {@link RobustnessTest}; the SIGTERM drain under keep-alive clients is
 * {@link ProcessTest}.
 */
class AttackTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static ServerConfig.Builder base() {
        return ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1).accessLog(false);
    }

    @Test
    void slowHeaderClientsDoNotDelayPingAndAreCutOffAfterTheHeaderTimeout() throws Exception {
        int slow = 60;
        try (Server server = Server.start(base().headerTimeout(Duration.ofSeconds(1)).build(), QUIET)) {
            Http http = new Http(server.port());
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < slow; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
                    sockets.add(s);
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                long worstMs = 0;
                int pings = 0;
                while (System.nanoTime() < end) {
                    for (Socket s : sockets) trickle(s); // one byte each: never the end of the headers
                    long t0 = System.nanoTime();
                    assertEquals(200, http.get("/ping").status());
                    worstMs = Math.max(worstMs, (System.nanoTime() - t0) / 1_000_000);
                    pings++;
                    Thread.sleep(100);
                }
                assertTrue(worstMs < 1000, "slowest /ping " + worstMs + " ms of " + pings);
                for (Socket s : sockets) {
                    s.setSoTimeout(5000);
                    Http.Raw answer = Http.readAnswer(s.getInputStream());
                    assertNotNull(answer, "an answer before the close");
                    assertEquals(408, answer.status(), answer.head());
                    assertTrue(((String) answer.json().get("error")).contains("headers did not arrive within 1.0 s"), answer.body());
                    assertEquals(-1, s.getInputStream().read(), "then closed");
                }
                assertTrue(http.get("/metrics").body().matches("(?s).*\nmlpack_header_timeouts_total ([6-9]\\d|\\d{3,})\n.*"),
                        "every slow connection was cut off for its headers");
            } finally {
                for (Socket s : sockets) s.close();
            }
        }
    }

    private static void trickle(Socket s) {
        try {
            s.getOutputStream().write('a');
        } catch (IOException closed) {
            // the server already cut it off
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        try (Server server = Server.start(base().headerTimeout(Duration.ofMillis(500)).build(), QUIET);
             Socket idle = new Socket("127.0.0.1", server.port())) {
            idle.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            assertEquals(408, Http.readAnswer(idle.getInputStream()).status());
            assertEquals(-1, idle.getInputStream().read());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 400 && ms < 5000, "closed after " + ms + " ms");
        }
    }

    @Test
    void concurrentLargeBodiesGet200Or503BusyNeverAFailureAndGiveTheirMemoryBack() throws Exception {
        byte[] png = bigSmoothPng(600, 600); // a few hundred KB
        // A budget for four such bodies at once: the others wait for memory or get 503 busy.
        MemoryBudget budget = new MemoryBudget(8L * png.length, 4L * png.length);
        try (Server server = Server.start(base().timeout(Duration.ofSeconds(3)).queue(16).build(), QUIET, budget)) {
            Http http = new Http(server.port());
            ExecutorService clients = Executors.newFixedThreadPool(12);
            try {
                List<Future<Http.Answer>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) answers.add(clients.submit(() -> http.post("/predict", "image/png", png)));
                int ok = 0;
                for (Future<Http.Answer> f : answers) {
                    Http.Answer a = f.get(60, TimeUnit.SECONDS);
                    assertTrue(a.status() == 200 || (a.status() == 503 && "1".equals(a.header("Retry-After"))), a.status() + " " + a.body());
                    if (a.status() == 200) ok++;
                }
                assertTrue(ok >= 1, "some were served");
            } finally {
                clients.shutdownNow();
            }
            assertTrue(awaitIdle(budget), "every request gave its memory back");
            assertEquals(200, http.get("/ping").status());
        }
    }

    @Test
    void aSixteenBitRgbaPngUnderThePixelLimitIsDecodedWithinASmallBudget() throws Exception {
        // 2048 x 2048 x 16-bit RGBA: 32 MB of samples once decoded whole; streamed, it needs a few rows.
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2048, 2048);
        for (int y = 0; y < 2048; y++) {
            for (int x = 0; x < 2048; x++) raster.setPixel(x, y, new int[] {x * 32, y * 32, (x + y) * 16, 65535});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(cm, raster, false, null), "png", out);
        byte[] png = out.toByteArray();
        MemoryBudget budget = new MemoryBudget(8L * png.length + (4 << 20), 4L << 20);
        try (Server server = Server.start(base().maxBodyBytes(png.length).build(), QUIET, budget)) {
            Http.Answer a = new Http(server.port()).post("/predict", "image/png", png);
            assertEquals(200, a.status(), a.body());
        }
    }

    @Test
    void aStalledUploadGetsA503AtItsDeadlineAndTheNextRequestIsServed() throws Exception {
        try (Server server = Server.start(base().timeout(Duration.ofSeconds(1)).queue(0).build(), QUIET)) {
            byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag"));
            long t0 = System.nanoTime();
            try (Socket stalled = Http.partialPost(server.port(), "/predict", "image/png", png.length, Arrays.copyOf(png, 10))) {
                Http.Raw a = Http.readAnswer(stalled.getInputStream());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertNotNull(a, "an answer, not a closed socket");
                assertEquals(503, a.status(), a.head());
                assertTrue(((String) a.json().get("error")).contains("deadline"), a.body());
                assertTrue(ms >= 900 && ms < 5000, "answered after " + ms + " ms");
            }
            assertEquals(200, new Http(server.port()).post("/predict", "image/png", png).status(), "the only place is free again");
        }
    }

    @Test
    void aRequestOfManyLargeImagesIsCutAtItsDeadlineAndTheWorkerIsFreeAgain() throws Exception {
        byte[] png = bigSmoothPng(1500, 1500);
        byte[] body = RobustnessTest.multipartBody("b", "image", png, 60);
        try (Server server = Server.start(base().timeout(Duration.ofMillis(700)).queue(0).maxBodyBytes(body.length + 1024L).build(), QUIET)) {
            Http http = new Http(server.port());
            long t0 = System.nanoTime();
            Http.Answer a = http.post("/predict", "multipart/form-data; boundary=b", body);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(503, a.status(), a.body());
            assertTrue(((String) a.json().get("error")).contains("deadline"), a.body());
            assertTrue(ms < 5000, "answered after " + ms + " ms, not after decoding 60 images");
            byte[] small = Files.readAllBytes(TestModels.sampleImage("Bag"));
            assertEquals(200, http.post("/predict", "image/png", small).status(), "the worker serves the next request");
        }
    }

    @Test
    void aDecompressionBombCostsNothing() throws Exception {
        try (Server server = Server.start(base().build(), QUIET)) {
            long t0 = System.nanoTime();
            Http.Answer a = new Http(server.port()).post("/predict", "image/png", RobustnessTest.pngClaiming(60_000, 60_000));
            assertEquals(413, a.status(), a.body());
            assertTrue((System.nanoTime() - t0) < TimeUnit.SECONDS.toNanos(2));
            assertEquals(0, server.budget().inUse());
        }
    }

    /** A smooth RGB PNG: large in pixels, compressed to little, slow enough to decode to matter. */
    static byte[] bigSmoothPng(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x ^ y) & 0x3F));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static boolean awaitIdle(MemoryBudget budget) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (budget.inUse() > 0) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

}
