import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attacks of bench/server_bench.sh, against a server on loopback; every loop is bounded in count and time.
 *
 *   slowloris PORT CONNECTIONS SECONDS   CONNECTIONS clients send request headers a byte every second and reconnect
 *                                        when cut off; meanwhile GET /ping every 100 ms on fresh connections.
 *                                        Prints the /ping latencies (p50, p99, max), failures, and how often the
 *                                        slow connections were cut off.
 *   burst PORT N CONTENT_TYPE FILE...    N concurrent POST /predict, the files in turn; prints the statuses, each
 *                                        request's time, and any that got no answer.
 *   drain PORT CLIENTS SECONDS PID FILE  CLIENTS keep-alive clients POST FILE back to back; after SECONDS, SIGTERM to
 *                                        PID; they go on (a new connection after Connection: close) until the server
 *                                        refuses connections. Prints requests answered, requests sent and never
 *                                        answered (dropped), answers without Connection: close to requests sent once
 *                                        the server had begun to drain, the exit time (the exit code is the caller's
 *                                        to read).
 *
 *   protocol PORT                        malformed requests, each on its own connection: a Content-Length that is not
 *                                        a number, a URI with a bad escape, a 20 KB header, a line that is not HTTP.
 *                                        Prints each one's status and Content-Type ("closed" when the server closed
 *                                        the connection without an answer).
 *
 * Answers are read as HTTP/1.1 with a Content-Length, which is what the server sends.
 */
public final class ServerAttacks {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "slowloris" -> slowloris(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "burst" -> burst(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], List.of(args).subList(4, args.length));
            case "drain" -> drain(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    Files.readAllBytes(Path.of(args[5])));
            case "protocol" -> protocol(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ------------------------------------------------------------------ slow headers

    static void slowloris(int port, int connections, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicInteger cutOff = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        List<Thread> slow = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        open.incrementAndGet();
                        OutputStream o = s.getOutputStream();
                        o.write("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
                        while (System.nanoTime() < end) {
                            Thread.sleep(1000);
                            o.write('a'); // never the blank line that ends the headers
                            o.flush();
                        }
                    } catch (IOException e) {
                        cutOff.incrementAndGet(); // closed by the server (or refused): reconnect
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        open.decrementAndGet();
                    }
                    sleepQuietly(50);
                }
            });
            slow.add(t);
        }
        List<Long> latencies = new ArrayList<>();
        int failures = 0;
        int maxOpen = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                Answer a = Answer.read(s.getInputStream());
                if (a == null || a.status != 200) failures++;
            } catch (IOException e) {
                failures++;
            }
            latencies.add((System.nanoTime() - t0) / 1_000_000);
            maxOpen = Math.max(maxOpen, open.get());
            Thread.sleep(100);
        }
        for (Thread t : slow) t.join(5000);
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "slowloris connections=%d seconds=%d pings=%d ping_failures=%d ping_p50_ms=%d ping_p99_ms=%d ping_max_ms=%d"
                        + " slow_open_max=%d slow_cut_off=%d%n", connections, seconds, latencies.size(), failures,
                latencies.get(latencies.size() / 2), latencies.get((int) Math.min(latencies.size() - 1, Math.ceil(latencies.size() * 0.99))),
                latencies.getLast(), maxOpen, cutOff.get());
    }

    // ------------------------------------------------------------------ protocol errors

    static void protocol(int port) throws IOException {
        Map<String, String> requests = new java.util.LinkedHashMap<>();
        requests.put("content_length_abc", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
        requests.put("bad_uri_escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("header_20kb", "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        requests.put("not_http", "HELLO\r\n\r\n");
        List<String> results = new ArrayList<>();
        for (Map.Entry<String, String> r : requests.entrySet()) {
            String result;
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(r.getValue().getBytes(StandardCharsets.ISO_8859_1));
                Answer a = Answer.read(s.getInputStream());
                result = a == null ? "closed" : a.status + " " + a.header("content-type");
            } catch (IOException e) {
                result = "closed (" + e.getClass().getSimpleName() + ")";
            }
            results.add(r.getKey() + "=" + result);
        }
        System.out.println("protocol " + String.join("; ", results));
    }

    // ------------------------------------------------------------------ bursts

    static void burst(int port, int n, String contentType, List<String> files) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (String f : files) bodies.add(Files.readAllBytes(Path.of(f)));
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<Long> times = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] body = bodies.get(i % bodies.size());
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    long t0 = System.nanoTime();
                    String key;
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(60_000);
                        OutputStream o = s.getOutputStream();
                        o.write(("POST /predict?top_k=1 HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        try {
                            o.write(body);
                        } catch (IOException refusedEarly) {
                            // a server may answer (413) and close before the whole body is sent: read its answer
                        }
                        Answer a = Answer.read(s.getInputStream());
                        key = a == null ? "no-answer" : a.status + (a.status >= 400 ? " " + a.reason() : "");
                    } catch (IOException e) {
                        key = "io-error " + e.getClass().getSimpleName();
                    }
                    times.add((System.nanoTime() - t0) / 1_000_000);
                    statuses.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        for (Thread t : clients) t.join(120_000);
        Collections.sort(times);
        System.out.printf(Locale.ROOT, "burst requests=%d max_ms=%d statuses=%s%n", n, times.isEmpty() ? -1 : times.getLast(),
                new TreeMap<>(Map.copyOf(statuses)));
    }

    // ------------------------------------------------------------------ drain

    static void drain(int port, int clients, int seconds, long pid, byte[] body) throws Exception {
        byte[] head = ("POST /predict?top_k=1 HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        AtomicLong termAt = new AtomicLong();
        // When the first answer with Connection: close came after SIGTERM: the server had begun to drain by then, so
        // every request sent later must be answered with it too (the signal takes a moment to reach the server).
        AtomicLong drainSeenAt = new AtomicLong();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger answeredAfterTerm = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger keptAliveAfterTerm = new AtomicInteger();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        long stopBy = System.nanoTime() + (seconds + 40) * 1_000_000_000L;
        AtomicBoolean refused = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < stopBy) {
                    Socket s;
                    try {
                        s = new Socket("127.0.0.1", port);
                        s.setSoTimeout(40_000);
                    } catch (ConnectException e) {
                        refused.set(true);
                        return; // the server no longer accepts: nothing was sent
                    } catch (IOException e) {
                        return;
                    }
                    try (s) {
                        while (System.nanoTime() < stopBy) {
                            long sentAt = System.nanoTime();
                            try {
                                s.getOutputStream().write(head);
                                s.getOutputStream().write(body);
                            } catch (IOException e) {
                                break; // the server closed this idle connection before the request went out
                            }
                            Answer a;
                            try {
                                a = Answer.read(s.getInputStream());
                            } catch (IOException e) {
                                a = null;
                            }
                            if (a == null) {
                                dropped.incrementAndGet();
                                break;
                            }
                            answered.incrementAndGet();
                            statuses.computeIfAbsent(a.status, k -> new AtomicInteger()).incrementAndGet();
                            boolean close = "close".equalsIgnoreCase(a.header("connection"));
                            long t = termAt.get();
                            if (t != 0 && sentAt > t) answeredAfterTerm.incrementAndGet();
                            if (t != 0 && close) drainSeenAt.compareAndSet(0, System.nanoTime());
                            long d = drainSeenAt.get();
                            if (d != 0 && sentAt > d && !close) keptAliveAfterTerm.incrementAndGet();
                            if (close) break;
                        }
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }));
        }
        Thread.sleep(seconds * 1000L);
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow();
        long t0 = System.nanoTime();
        termAt.set(t0);
        new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
        server.onExit().get();
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        for (Thread t : threads) t.join(40_000);
        System.out.printf(Locale.ROOT, "drain clients=%d answered=%d answered_after_sigterm=%d dropped=%d kept_alive_after_sigterm=%d"
                        + " statuses=%s exit_ms=%d refused_after=%b%n", clients, answered.get(), answeredAfterTerm.get(), dropped.get(),
                keptAliveAfterTerm.get(), new TreeMap<>(Map.copyOf(statuses)), exitMs, refused.get());
    }

    // ------------------------------------------------------------------ helpers

    record Answer(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
            }
            return null;
        }

        /** The JSON error's first words, to tell 503 busy from 503 deadline in the counts. */
        String reason() {
            int i = body.indexOf("\"error\":\"");
            if (i < 0) return "";
            String m = body.substring(i + 9);
            String[] words = m.split("[ :;,\"]+");
            return String.join(" ", java.util.Arrays.copyOfRange(words, 0, Math.min(4, words.length)));
        }

        static Answer read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last4 = 0;
            while (true) {
                int b = in.read();
                if (b < 0) return null;
                head.write(b);
                last4 = (last4 << 8) | b;
                if (last4 == 0x0D0A0D0A) break;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            Answer h = new Answer(Integer.parseInt(text.substring(9, 12)), text, "");
            String length = h.header("content-length");
            byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
            return new Answer(h.status, text, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
