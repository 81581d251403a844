import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.InputDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process ceiling for bench/server_bench.sh: the server's interpreter setup without HTTP. WORKERS threads,
 * each with its own interpreter (InterpreterOptions.defaults(): XNNPACK int8, THREADS threads), loop over the same
 * image files for SECONDS after a warm-up, doing what a /predict request does per image: decode, resize (raw uint8
 * pixels, the model normalises inside), set the input, invoke, read the output.
 * Mode "full" counts that; mode "invoke" only set-input + invoke + read-output on pre-decoded inputs. The decoding modes
 * only decode each file to the model's input (raw pixels), as the server does: "decode" with the server's InputDecoder
 * (libjpeg-turbo with DCT scaling for JPEGs), "decode-imageio" with the same decoder but JPEGs through the JDK's ImageIO.
 *
 *   usage: java -cp "server/target/lib/*" bench/java/ServerBaseline.java MODEL WORKERS THREADS SECONDS MODE FILE...
 *          MODE: full | invoke | decode | decode-imageio
 *   prints: images_per_second=N
 */
public final class ServerBaseline {
    public static void main(String[] args) throws Exception {
        Path modelPath = Path.of(args[0]);
        int workers = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        String mode = args[4];
        if (!List.of("full", "invoke", "decode", "decode-imageio").contains(mode)) throw new IllegalArgumentException("mode " + mode);
        boolean full = mode.equals("full");
        List<byte[]> files = new ArrayList<>();
        for (int i = 5; i < args.length; i++) files.add(Files.readAllBytes(Path.of(args[i])));
        ModelInfo info = ModelInfo.read(modelPath).orElseThrow();
        ImagePipeline pipeline = info.pipeline();
        ImageDecoder decoder = new ImageDecoder(4096L * 4096);
        if (mode.startsWith("decode")) {
            InputDecoder server = new InputDecoder(pipeline, 4096L * 4096);
            decodeOnly(mode.equals("decode") ? server : server.withoutLibjpegTurbo(), files, workers, seconds);
            return;
        }
        List<byte[]> pixels = new ArrayList<>();
        for (byte[] f : files) pixels.add(pipeline.toUint8(decoder.decode(f, "img")));
        try (TfliteModel model = TfliteModel.load(modelPath)) {
            AtomicLong done = new AtomicLong();
            CountDownLatch ready = new CountDownLatch(workers);
            List<Thread> ts = new ArrayList<>();
            long[] window = new long[2];
            for (int w = 0; w < workers; w++) {
                int offset = w;
                Thread t = new Thread(() -> {
                    try (TfliteInterpreter it = model.newInterpreter(InterpreterOptions.defaults().withThreads(threads))) {
                        for (int i = 0; i < 50; i++) once(it, full, decoder, pipeline, files, pixels, i);
                        ready.countDown();
                        ready.await();
                        long end = System.nanoTime() + (long) (seconds * 1e9);
                        for (int i = offset; System.nanoTime() < end; i++) {
                            once(it, full, decoder, pipeline, files, pixels, i);
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                ts.add(t);
                t.start();
            }
            ready.await();
            long t0 = System.nanoTime();
            for (Thread t : ts) t.join();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "images_per_second=%.1f%n", done.get() / elapsed);
        }
    }

    /** WORKERS threads decoding the files in turn for SECONDS, after a warm-up; prints images_per_second. */
    static void decodeOnly(InputDecoder decoder, List<byte[]> files, int workers, double seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(workers);
        List<Thread> ts = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int offset = w;
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 50; i++) decode(decoder, files, i);
                    ready.countDown();
                    ready.await();
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    for (int i = offset; System.nanoTime() < end; i++) {
                        decode(decoder, files, i);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        ready.await();
        long t0 = System.nanoTime();
        for (Thread t : ts) t.join();
        System.out.printf(java.util.Locale.ROOT, "images_per_second=%.1f%n", done.get() / ((System.nanoTime() - t0) / 1e9));
    }

    static void decode(InputDecoder decoder, List<byte[]> files, int i) throws Exception {
        byte[] f = files.get(i % files.size());
        if (decoder.pixels(f, 0, f.length, "img", InputDecoder.MemoryGate.NONE).length == 0) throw new IllegalStateException();
    }

    static void once(TfliteInterpreter it, boolean full, ImageDecoder decoder, ImagePipeline pipeline, List<byte[]> files,
                     List<byte[]> pixels, int i) throws Exception {
        byte[] input;
        if (full) {
            RgbImage image = decoder.decode(files.get(i % files.size()), "img");
            input = pipeline.toUint8(image);
        } else {
            input = pixels.get(i % pixels.size());
        }
        it.setInput(0, input);
        it.invoke();
        float[] out = it.outputFloats(0);
        if (out.length == 0) throw new IllegalStateException();
    }
}
