package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the tests: requests with any method, type and body, answers as text and JSON. */
final class Http {
    record Answer(int status, String body, java.net.http.HttpHeaders headers) {
        Map<String, Object> json() {
            try {
                return JSON.std.mapFrom(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) { return headers.firstValue(name).orElse(null); }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    Http(int port) { this.base = "http://127.0.0.1:" + port; }

    Answer get(String path) { return send("GET", path, null, null); }

    Answer post(String path, String contentType, byte[] body) { return send("POST", path, contentType, body); }

    Answer send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A multipart/form-data body with one file part per {@code (field, bytes)} pair. */
    static Answer multipart(Http http, String path, List<Map.Entry<String, byte[]>> parts) {
        String boundary = "----mlpacktest7d3f";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, byte[]> p : parts) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.getKey()
                        + "\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.write(p.getValue());
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return http.post(path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    /**
     * Opens a raw connection and sends a POST whose headers promise {@code length} bytes, then only {@code sent}
     * of them: the server holds the request open while it waits for the rest.
     */
    static Socket partialPost(int port, String path, String contentType, long length, byte[] sent) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30000);
        OutputStream o = s.getOutputStream();
        o.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                + length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        o.write(sent);
        o.flush();
        return s;
    }

    /**
     * Waits, by the clock rather than by a number of tries, until the server reports {@code count} admitted prediction
     * requests: a {@link #partialPost} is admitted only once the server has read its headers, which on a loaded
     * machine can take a while.
     */
    void awaitAdmitted(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!get("/metrics").body().contains("\nmlpack_requests_waiting " + count + "\n")) {
            if (System.nanoTime() > deadline) throw new AssertionError("the server never admitted " + count + " request(s)");
            Thread.onSpinWait();
        }
    }

    /** An answer read off a raw socket: the status line and headers as sent, and the body. */
    record Raw(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
            }
            return null;
        }

        Map<String, Object> json() {
            try {
                return JSON.std.mapFrom(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** Sends {@code request} as it is on a new connection and reads one answer (what HttpClient would refuse to send). */
    static Raw raw(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return readAnswer(s.getInputStream());
        }
    }

    /** One HTTP/1.1 answer with a Content-Length, read from {@code in}; null at the end of the stream. */
    static Raw readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) return null;
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Raw headers = new Raw(Integer.parseInt(text.substring(9, 12)), text, "");
        String length = headers.header("content-length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        return new Raw(headers.status(), text, new String(body, StandardCharsets.UTF_8));
    }

    /** Sends the rest of a {@link #partialPost} body and reads the status line and body. */
    static String finish(Socket s, byte[] rest) throws IOException {
        s.getOutputStream().write(rest);
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
