package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The robustness table: every malformed request gets its documented status and a one-line JSON error (never a
 * stack trace), and the server answers {@code /ping} afterwards. The table is the documentation (README, serve).
 */
class RobustnessTest {
    static final long MAX_BODY = 256 * 1024;
    static final int MAX_IMAGES = 3;
    static Server server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        server = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1)
                .maxBodyBytes(MAX_BODY).maxPixels(4096L * 4096).maxImages(MAX_IMAGES).build(), new PrintStream(OutputStream.nullOutputStream()));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A request of the table: what is sent and the status it must get. */
    record Case(String name, String method, String path, String contentType, byte[] body, int status) {
        @Override
        public String toString() { return name + " -> " + status; }
    }

    static Stream<Arguments> table() throws IOException {
        byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag"));
        byte[] jpeg = jpeg(png);
        String good64 = Base64.getEncoder().encodeToString(png);
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        String bad64 = "{\"images\":[\"not base64 at all!!\"]}";
        return Stream.of(
                new Case("empty body", "POST", "/predict", "image/jpeg", new byte[0], 400),
                new Case("truncated JPEG", "POST", "/predict", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 2), 400),
                new Case("truncated PNG", "POST", "/predict", "image/png", Arrays.copyOf(png, png.length / 2), 400),
                new Case("random bytes", "POST", "/predict", "image/jpeg", random, 400),
                new Case("random bytes as octet-stream", "POST", "/predict", "application/octet-stream", random, 400),
                new Case("huge dimensions (100000 x 100000 PNG header)", "POST", "/predict", "image/png", pngClaiming(100_000, 100_000), 413),
                new Case("wrong multipart field name", "POST", "/predict", "multipart/form-data; boundary=b",
                        multipartBody("b", "file", png), 400),
                new Case("multipart without boundary", "POST", "/predict", "multipart/form-data", png, 400),
                new Case("bad base64", "POST", "/predict", "application/json", bad64.getBytes(), 400),
                new Case("base64 of random bytes", "POST", "/predict", "application/json",
                        ("{\"images\":[\"" + Base64.getEncoder().encodeToString(random) + "\"]}").getBytes(), 400),
                new Case("wrong JSON (syntax)", "POST", "/predict", "application/json", "{\"images\": [".getBytes(), 400),
                new Case("wrong JSON (no images key)", "POST", "/predict", "application/json", ("{\"image\":\"" + good64 + "\"}").getBytes(), 400),
                new Case("wrong JSON (images not strings)", "POST", "/predict", "application/json", "{\"images\":[1,2]}".getBytes(), 400),
                new Case("wrong JSON (empty images)", "POST", "/predict", "application/json", "{\"images\":[]}".getBytes(), 400),
                new Case("oversized body", "POST", "/predict", "image/png", new byte[(int) MAX_BODY + 1], 413),
                new Case("unsupported media type", "POST", "/predict", "text/plain", "hello".getBytes(), 415),
                new Case("no Content-Type", "POST", "/predict", null, png, 415),
                new Case("wrong method on /predict", "GET", "/predict", null, null, 405),
                new Case("wrong method on /ping", "POST", "/ping", "image/png", png, 405),
                new Case("top_k zero", "POST", "/predict?top_k=0", "image/png", png, 400),
                new Case("top_k not a number", "POST", "/predict?top_k=five", "image/png", png, 400),
                new Case("unknown path", "GET", "/nothing-here", null, null, 404),
                new Case("TF Serving: unknown model", "POST", "/v1/models/nope:predict", "application/json", "{}".getBytes(), 404),
                new Case("TF Serving: no instances", "POST", "/v1/models/model:predict", "application/json", "{\"inputs\":1}".getBytes(), 400),
                new Case("TF Serving: bad base64", "POST", "/v1/models/model:predict", "application/json",
                        "{\"instances\":[{\"b64\":\"***\"}]}".getBytes(), 400),
                new Case("TF Serving: instance without b64", "POST", "/v1/models/model:predict", "application/json",
                        "{\"instances\":[[1,2,3]]}".getBytes(), 400),
                new Case("TF Serving: a body that is not JSON", "POST", "/v1/models/model:predict", "image/png", png, 400),
                new Case("TF Serving: wrong method", "GET", "/v1/models/model:predict", null, null, 405),
                new Case("TF Serving: a version it does not have", "GET", "/v1/models/model/versions/999", null, null, 404),
                new Case("TF Serving: predict on a version it does not have", "POST", "/v1/models/model/versions/2:predict",
                        "application/json", ("{\"instances\":[{\"b64\":\"" + good64 + "\"}]}").getBytes(), 404),
                new Case("TF Serving: a version label (none are defined)", "GET", "/v1/models/model/labels/stable", null, null, 404),
                new Case("TF Serving: another signature", "POST", "/v1/models/model:predict", "application/json",
                        ("{\"signature_name\":\"classify\",\"instances\":[{\"b64\":\"" + good64 + "\"}]}").getBytes(), 400),
                new Case("TF Serving: both instances and inputs", "POST", "/v1/models/model:predict", "application/json",
                        ("{\"instances\":[{\"b64\":\"" + good64 + "\"}],\"inputs\":[{\"b64\":\"" + good64 + "\"}]}").getBytes(), 400),
                new Case("TF Serving: a tensor of the wrong shape", "POST", "/v1/models/model:predict", "application/json",
                        "{\"instances\":[[[1,2,3]]]}".getBytes(), 400),
                new Case("more images than --max-images", "POST", "/predict", "multipart/form-data; boundary=b",
                        multipartBody("b", "image", png, MAX_IMAGES + 1), 413),
                new Case("TF Serving: more instances than --max-images", "POST", "/v1/models/model:predict", "application/json",
                        ("{\"instances\":[" + String.join(",", java.util.Collections.nCopies(MAX_IMAGES + 1, "{\"b64\":\"" + good64 + "\"}")) + "]}")
                                .getBytes(), 413)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void malformedRequestGetsItsStatusAndPingStillAnswers(Case c) {
        assertEquals("model", server.modelName(), "the table's TF Serving paths use the sample's name");
        Http.Answer a = http.send(c.method(), c.path(), c.contentType(), c.body());
        assertEquals(c.status(), a.status(), c.name() + ": " + a.body());
        assertEquals("application/json", a.header("Content-Type"));
        Object error = a.json().get("error");
        assertInstanceOf(String.class, error, a.body());
        String message = (String) error;
        assertFalse(message.isBlank());
        assertFalse(message.contains("\n") || message.contains("Exception") || message.contains("\tat "), "not a stack trace: " + message);
        if (c.status() == 405) assertTrue(a.header("Allow") != null, "405 names the allowed methods");
        assertEquals(200, http.get("/ping").status(), "the server still answers after: " + c.name());
    }

    /** What Jetty refuses before the handler: still one line of JSON, the documented status, and the server goes on. */
    static Stream<Arguments> protocolTable() {
        String big = "a".repeat(Server.HEADER_LIMIT + 1);
        return Stream.of(
                Arguments.of("malformed URI escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("query string with a bad escape", "POST /predict?top_k=%zz HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                        + "Content-Length: 1\r\n\r\nx", 400),
                Arguments.of("Content-Length: abc", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
                Arguments.of("two Content-Lengths", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", 400),
                Arguments.of("oversized header", "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431),
                Arguments.of("not HTTP", "HELLO\r\n\r\n", 400),
                Arguments.of("spaces in the request line", "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("no Host header", "GET /ping HTTP/1.1\r\n\r\n", 400),
                Arguments.of("bad chunk size", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nabc\r\n0\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolTable")
    void protocolErrorsAreAnsweredInJsonAndCounted(String name, String request, int status) throws IOException {
        Http.Raw a = Http.raw(server.port(), request.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(status, a.status(), name + ": " + a.head() + a.body());
        assertEquals("application/json", a.header("content-type"), a.head());
        String message = (String) a.json().get("error");
        assertFalse(message.isBlank() || message.contains("\n") || message.contains("Exception"), message);
        assertEquals(200, http.get("/ping").status(), "the server still answers after: " + name);
        assertTrue(http.get("/metrics").body().contains("mlpack_requests_total{route=\"protocol\",status=\"" + status + "\"}"));
    }

    /**
     * A client that writes its whole body before it reads (java.net.http and many others do) still gets an answer given
     * before its body was read: the server reads and drops what the client sends after the answer, instead of closing
     * over unread bytes, whose reset could destroy the answer before the client reads it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("answersBeforeTheBody")
    void anAnswerGivenBeforeTheBodyIsReadReachesAClientThatSendsItAll(String name, String head, int bodyBytes, int status) throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                o.write(head.getBytes(StandardCharsets.ISO_8859_1));
                o.flush();
                Thread.sleep(150); // the server answers meanwhile
                byte[] chunk = new byte[16 * 1024];
                for (int sent = 0; sent < bodyBytes; sent += chunk.length) o.write(chunk, 0, Math.min(chunk.length, bodyBytes - sent));
                o.flush();
                Http.Raw a = Http.readAnswer(s.getInputStream());
                assertEquals(status, a == null ? -1 : a.status(), name + " (try " + (i + 1) + ")");
                assertEquals("close", a.header("connection"), a.head());
            }
        }
        assertEquals(200, http.get("/ping").status());
    }

    static Stream<Arguments> answersBeforeTheBody() {
        int over = (int) MAX_BODY * 2;
        return Stream.of(
                Arguments.of("Content-Length over --max-body", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                        + "Content-Length: " + over + "\r\n\r\n", over, 413),
                Arguments.of("unsupported Content-Type", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + MAX_BODY + "\r\n\r\n", (int) MAX_BODY, 415),
                Arguments.of("unknown path", "POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                        + "Content-Length: " + MAX_BODY + "\r\n\r\n", (int) MAX_BODY, 404));
    }

    @Test
    void oversizedChunkedBodyIsRefusedWhileReading() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10000);
            OutputStream o = s.getOutputStream();
            o.write("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 5; i++) {
                o.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                o.write(chunk);
                o.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            o.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            String answer = new String(s.getInputStream().readNBytes(200), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        }
        assertEquals(200, http.get("/ping").status());
    }

    @Test
    void fullQueueGets503WithRetryAfter() throws IOException {
        // One worker and no queue on a second server: a request still sending its body holds the only place.
        try (Server small = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1)
                .queue(0).build(), new PrintStream(OutputStream.nullOutputStream()))) {
            byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag"));
            Http client = new Http(small.port());
            try (Socket slow = Http.partialPost(small.port(), "/predict", "image/png", png.length, Arrays.copyOf(png, 10))) {
                client.awaitAdmitted(1);
                Http.Answer busy = client.post("/predict", "image/png", png);
                assertEquals(503, busy.status(), busy.body());
                assertEquals("1", busy.header("Retry-After"));
                assertTrue(((String) busy.json().get("error")).contains("busy"), busy.body());
                assertEquals(200, client.get("/ping").status(), "ping is never queued behind predictions");
                String answer = Http.finish(slow, Arrays.copyOfRange(png, 10, png.length));
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            }
            assertEquals(200, client.post("/predict", "image/png", png).status(), "the place is free again");
        }
    }

    @Test
    void closingRightAfterAResponseDoesNotWaitForTheDrainTime() throws IOException {
        // The client's keep-alive connection stays open; the drain closes it once idle for a second, then stops.
        Server quick = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1)
                .drain(java.time.Duration.ofSeconds(20)).accessLog(false).build(), new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(200, new Http(quick.port()).get("/ping").status());
        long t0 = System.nanoTime();
        quick.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 4000, "close took " + ms + " ms");
    }

    @Test
    void theDrainRefusesNewConnectionsAndAnswersARequestOnAnOpenOneWithConnectionClose() throws Exception {
        Server draining = Server.start(ServerConfig.builder(TestModels.sampleInt8()).host("127.0.0.1").port(0).workers(1)
                .drain(java.time.Duration.ofSeconds(20)).accessLog(false).build(), new PrintStream(OutputStream.nullOutputStream()));
        int port = draining.port();
        byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag"));
        byte[] request = ("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: " + png.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        Thread drain = null;
        try (Socket keptAlive = new Socket("127.0.0.1", port);
             Socket inFlight = Http.partialPost(port, "/predict", "image/png", png.length, Arrays.copyOf(png, 10))) {
            keptAlive.setSoTimeout(20_000);
            keptAlive.getOutputStream().write(request);
            keptAlive.getOutputStream().write(png);
            Http.Raw before = Http.readAnswer(keptAlive.getInputStream());
            assertEquals(200, before.status(), before.body());
            assertEquals(null, before.header("Connection"), "kept alive before the drain");
            new Http(port).awaitAdmitted(1); // the request in flight keeps the drain going

            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            drain = Thread.ofPlatform().start(() -> draining.drain(started::countDown));
            assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertThrows(java.net.ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "no new connections");

            // Sent on a connection opened before the drain: served, and told to close.
            keptAlive.getOutputStream().write(request);
            keptAlive.getOutputStream().write(png);
            Http.Raw during = Http.readAnswer(keptAlive.getInputStream());
            assertEquals(200, during.status(), during.body());
            assertEquals("close", during.header("Connection"));

            String last = Http.finish(inFlight, Arrays.copyOfRange(png, 10, png.length));
            assertTrue(last.startsWith("HTTP/1.1 200"), last);
        } finally {
            if (drain != null) drain.join(25_000);
            draining.close();
        }
    }

    // ------------------------------------------------------------------ inputs

    static byte[] jpeg(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(png));
        BufferedImage rgb = new BufferedImage(img.getWidth() * 4, img.getHeight() * 4, BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(img, 0, 0, rgb.getWidth(), rgb.getHeight(), null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpeg", out);
        return out.toByteArray();
    }

    /** A valid 1x1 PNG whose header (IHDR, CRC fixed) claims {@code width x height}: a decompression bomb's header. */
    static byte[] pngClaiming(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", out);
        byte[] png = out.toByteArray();
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, width).putInt(20, height); // IHDR data starts at 16: signature 8, length 4, type 4
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // type + 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    static byte[] multipartBody(String boundary, String field, byte[] data) {
        return multipartBody(boundary, field, data, 1);
    }

    /** A multipart body with {@code copies} parts named {@code field}, each holding {@code data}. */
    static byte[] multipartBody(String boundary, String field, byte[] data, int copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < copies; i++) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"a.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(data);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

}
