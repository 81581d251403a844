package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as a process: SIGTERM drain and exit code, pre-extracted natives, the command line. */
class ProcessTest {
    @TempDir Path tmp;

    /** A running {@code ServerMain} with its stdout lines collected. */
    static final class Running implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
        int port = -1;
        final Thread reader;

        Running(List<String> jvm, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(jvm);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
            cmd.addAll(Arrays.asList(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        all.add(line);
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the listening line and returns the port. */
        int awaitListening() throws InterruptedException {
            Pattern p = Pattern.compile("listening on http://[^:]+:(\\d+)");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    if (!process.isAlive()) break;
                    continue;
                }
                Matcher m = p.matcher(line);
                if (m.find()) return port = Integer.parseInt(m.group(1));
            }
            throw new AssertionError("server did not start: " + all);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void sigtermDrainsTheRequestInFlightThenExitsZero() throws Exception {
        byte[] png = Files.readAllBytes(TestModels.sampleImage("Bag"));
        try (Running server = new Running(List.of(), "--model", TestModels.sampleInt8().toString(), "--host", "127.0.0.1",
                "--port", "0", "--drain", "20")) {
            int port = server.awaitListening();
            try (Socket slow = Http.partialPost(port, "/predict", "image/png", png.length, Arrays.copyOf(png, 10))) {
                new Http(port).awaitAdmitted(1); // the request is being read
                // SIGTERM with kill(1): Process.destroy() would also close our end of the child's stdout.
                assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(server.process.pid())).start().waitFor());
                Thread.sleep(700);
                if (!server.process.isAlive()) {
                    Thread.sleep(500);
                    throw new AssertionError("exited (" + server.process.exitValue() + ") before the request in flight finished: " + server.all);
                }
                String answer = Http.finish(slow, Arrays.copyOfRange(png, 10, png.length));
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.contains("\"label\":\"Bag\""), answer);
            }
            assertTrue(server.process.waitFor(20, TimeUnit.SECONDS), "exits after draining");
            server.reader.join(5000); // the last lines
            assertEquals(0, server.process.exitValue(), String.join("\n", server.all));
            assertTrue(server.all.stream().anyMatch(l -> l.contains("msg=\"stopped\"")), String.join("\n", server.all));
        }
    }

    /**
     * The benchmark's drain (bench/java/ServerAttacks.java, the same client), smaller: keep-alive clients send requests
     * back to back, SIGTERM comes in the middle, and every request sent gets an answer, with Connection: close after it.
     */
    @Test
    void sigtermUnderKeepAliveClientsAnswersEveryRequestSentThenExitsZero() throws Exception {
        Path jpeg = Files.write(tmp.resolve("bag.jpg"), RobustnessTest.jpeg(Files.readAllBytes(TestModels.sampleImage("Bag"))));
        try (Running server = new Running(List.of(), "--model", TestModels.sampleInt8().toString(), "--host", "127.0.0.1",
                "--port", "0", "--workers", "1", "--drain", "15", "--quiet")) {
            int port = server.awaitListening();
            Process clients = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    TestModels.repo().resolve("bench/java/ServerAttacks.java").toString(), "drain", Integer.toString(port), "6", "2",
                    Long.toString(server.process.pid()), jpeg.toString()).redirectErrorStream(true).start();
            String out = new String(clients.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(clients.waitFor(60, TimeUnit.SECONDS), out);
            assertTrue(server.process.waitFor(20, TimeUnit.SECONDS), "exits within the drain time");
            assertEquals(0, server.process.exitValue(), String.join("\n", server.all));
            Matcher m = Pattern.compile("answered=(\\d+) .*dropped=(\\d+) kept_alive_after_sigterm=(\\d+)").matcher(out);
            assertTrue(m.find(), out);
            assertTrue(Integer.parseInt(m.group(1)) > 6, "traffic flowed: " + out);
            assertEquals("0", m.group(2), "requests sent and never answered: " + out);
            assertEquals("0", m.group(3), "answers to requests sent after SIGTERM without Connection: close: " + out);
        }
    }

    @Test
    void nativesFolderIsUsedAndNothingIsWrittenElsewhere() throws Exception {
        Path natives = tmp.resolve("natives");
        Process extract = new ProcessBuilder(javaCommand("--extract-natives", natives.toString())).redirectErrorStream(true).start();
        String out = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, extract.waitFor(), out);
        assertTrue(Files.isRegularFile(natives.resolve("libjnitensorflowlite.so")), out);
        assertTrue(Files.isRegularFile(natives.resolve("libjnijavacpp.so")), out);
        assertTrue(Files.isRegularFile(natives.resolve("libleptonica.so.6")), out);

        // An empty home and temp folder: JavaCPP's usual cache (~/.javacpp/cache, or java.io.tmpdir) must stay unused.
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path temp = Files.createDirectories(tmp.resolve("tmp"));
        try (Running server = new Running(List.of("-Duser.home=" + home, "-Djava.io.tmpdir=" + temp),
                "--model", TestModels.sampleInt8().toString(), "--host", "127.0.0.1", "--port", "0", "--natives", natives.toString())) {
            int port = server.awaitListening();
            byte[] jpeg = RobustnessTest.jpeg(Files.readAllBytes(TestModels.sampleImage("Bag")));
            assertEquals(200, new Http(port).post("/predict", "image/jpeg", jpeg).status());
            String maps = Files.readString(Path.of("/proc", Long.toString(server.process.pid()), "maps"));
            assertTrue(maps.contains(natives.resolve("libjnitensorflowlite.so").toString()), "TFLite loaded from --natives");
            assertTrue(maps.contains(natives.resolve("libjnijavacpp.so").toString()), "JavaCPP loaded from --natives");
            assertTrue(maps.contains(natives.resolve("libleptonica.so.6").toString()), "libjpeg-turbo loaded from --natives");
            try (Stream<Path> h = Files.list(home); Stream<Path> t = Files.list(temp)) {
                assertEquals(List.of(), Stream.concat(h, t).toList(), "no cache written");
            }
        }
    }

    @Test
    void bootStartsNoMBeanServer() throws Exception {
        // Jetty starts the platform MBean server to learn the reference size unless told it: a sixth of the boot's CPU.
        // (Its logger factory implements DynamicMBean, so a few javax.management interfaces do load: they cost nothing.)
        Path classLog = tmp.resolve("classes.log");
        try (Running server = new Running(List.of("-Xlog:class+load=info:file=" + classLog),
                "--model", TestModels.sampleInt8().toString(), "--host", "127.0.0.1", "--port", "0")) {
            int port = server.awaitListening();
            assertEquals(200, new Http(port).get("/ping").status());
            List<String> jmx = Files.readAllLines(classLog).stream()
                    .filter(line -> line.contains(" java.lang.management.") || line.contains(" com.sun.jmx.")).toList();
            assertEquals(List.of(), jmx, "the platform MBean server's classes, loaded by the boot");
        }
    }

    @Test
    void missingNativesFolderIsOneClearLine() throws Exception {
        Process p = new ProcessBuilder(javaCommand("--model", TestModels.sampleInt8().toString(), "--natives",
                tmp.resolve("none").toString())).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(ServerMain.FAILED, p.waitFor());
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("--extract-natives"), err);
    }

    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }
}
