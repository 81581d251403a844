package dev.mlpack.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * {@code --check}: starts the server on a free loopback port, sends it {@code GET /ping} and one {@code POST
 * /predict} with a generated PNG of the model's input size, prints both answers and stops. A packaged artifact
 * can run it to prove that the model, the natives and the JVM work together; it is also the training run for a
 * JVM class or AOT cache, since it exercises the same code as real requests.
 */
final class SelfCheck {
    private SelfCheck() {}

    static int run(ServerConfig config, PrintStream out) throws IOException {
        ServerConfig local = config.toBuilder().host("127.0.0.1").port(0).accessLog(false).build();
        try (Server server = Server.start(local, out)) {
            String base = "http://127.0.0.1:" + server.port();
            Answer ping = request(base + "/ping", null, null);
            out.println("check: GET /ping -> " + ping.status + " " + ping.body);
            Answer predict = request(base + "/predict?top_k=1", "image/png", gradientPng(server));
            out.println("check: POST /predict -> " + predict.status + " " + predict.body);
            boolean ok = ping.status == 200 && predict.status == 200;
            out.println(ok ? "check: ok (" + server.describe() + ")" : "check: FAILED");
            return ok ? ServerMain.OK : ServerMain.FAILED;
        }
    }

    private record Answer(int status, String body) {}

    private static Answer request(String url, String contentType, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            c.setConnectTimeout(5000);
            c.setReadTimeout(30000);
            if (body != null) {
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", contentType);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream o = c.getOutputStream()) {
                    o.write(body);
                }
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Answer(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            c.disconnect();
        }
    }

    /** A colour gradient at the model's input size, as PNG bytes. */
    private static byte[] gradientPng(Server server) throws IOException {
        int w = server.inputWidth(), h = server.inputHeight();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, (255 * x / w) << 16 | (255 * y / h) << 8 | 128);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return bytes.toByteArray();
    }
}
