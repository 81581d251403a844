package dev.mlpack.packager.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * TEST DOUBLE of the server (issue 6), honouring only what server-contract.md promises the packager: {@code --model},
 * {@code --port} ($PORT, else 8080), {@code --host}, {@code --natives} (accepted; JavaCPP's cache is used),
 * {@code --workers} (accepted), {@code --labels FILE}, {@code --extract-natives DIR}, {@code --help}, {@code GET /ping} and a raw-body
 * {@code POST /predict}. It lets the packager's tests run end to end before the real server lands; the real one
 * replaces it in the integrator's acceptance run (bench/package_selfcheck.sh).
 */
public final class FakeServer {
    private FakeServer() {}

    public static void main(String[] args) throws Exception {
        String model = null;
        String labelsFile = null;
        String host = "0.0.0.0";
        String portText = System.getenv("PORT");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help" -> {
                    System.out.println("fake server: --model FILE --port N --host H --natives DIR --workers N --labels FILE --extract-natives DIR");
                    return;
                }
                case "--extract-natives" -> {
                    extractNatives(Path.of(args[++i]));
                    return;
                }
                case "--model" -> model = args[++i];
                case "--port" -> portText = args[++i];
                case "--host" -> host = args[++i];
                case "--labels" -> labelsFile = args[++i];
                case "--natives", "--workers" -> i++;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        int port = portText == null || portText.isBlank() ? 8080 : Integer.parseInt(portText);
        TfliteModel m = TfliteModel.load(Path.of(model));
        TfliteInterpreter interpreter = m.newInterpreter(InterpreterOptions.defaults());
        ModelInfo info = ModelInfo.read(Path.of(model)).orElse(null);
        ImagePipeline pipeline = info != null && info.hasInputSize() ? info.pipeline()
                : ImagePipeline.forInput(interpreter.input(0), Resize.BILINEAR, Preprocess.TF);
        List<String> labels = labelsFile != null ? Files.readAllLines(Path.of(labelsFile)) : info == null ? List.of() : info.labels();
        boolean pixels = interpreter.input(0).dataType() == DataType.UINT8;
        ImageDecoder decoder = new ImageDecoder();

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/ping", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
        server.createContext("/predict", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                RgbImage image = decoder.decode(in.readAllBytes(), "upload");
                float[] scores;
                synchronized (interpreter) {
                    if (pixels) interpreter.setInput(0, pipeline.toUint8(image));
                    else interpreter.setInput(0, pipeline.toFloats(image));
                    interpreter.invoke();
                    scores = interpreter.outputFloats(0);
                }
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < scores.length; i++) order.add(i);
                order.sort(Comparator.comparingDouble((Integer i) -> -scores[i]));
                if (System.getenv("FAKE_SERVER_OFF_BY_ONE") != null) { // for the self-check's disagreement test
                    order.replaceAll(i -> (i + 1) % scores.length);
                }
                StringBuilder sb = new StringBuilder("{\"predictions\":[");
                for (int k = 0; k < Math.min(5, order.size()); k++) {
                    int i = order.get(k);
                    if (k > 0) sb.append(',');
                    String label = i < labels.size() ? labels.get(i) : Integer.toString(i);
                    sb.append(String.format(Locale.ROOT, "{\"label\":\"%s\",\"index\":%d,\"score\":%.6f}", label.replace("\"", "\\\""), i, scores[i]));
                }
                reply(ex, 200, sb.append("]}").toString());
                System.out.println("POST /predict 200");
            } catch (Exception e) {
                reply(ex, 400, "{\"error\":\"bad image\"}");
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
        System.out.println("listening on " + host + ":" + port);
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Copies the linux-x86_64 shared libraries out of the native classifier jars in the jar's lib/ folder. */
    private static void extractNatives(Path dir) throws Exception {
        Path self = Path.of(FakeServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(self.getParent().resolve("lib"))) {
            for (Path jar : s.filter(p -> p.toString().endsWith("linux-x86_64.jar")).sorted().toList()) {
                try (JarFile jf = new JarFile(jar.toFile())) {
                    for (JarEntry e : jf.stream().sorted(Comparator.comparing(JarEntry::getName)).toList()) {
                        String n = e.getName();
                        if (e.isDirectory() || !n.matches(".*/linux-x86_64/[^/]*\\.so(\\.[0-9.]+)?")) continue;
                        try (InputStream in = jf.getInputStream(e)) {
                            Files.copy(in, dir.resolve(n.substring(n.lastIndexOf('/') + 1)), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
    }
}
