/*
 * Where a JPEG's decoding time goes (by hand, for BENCHMARKS.md's server section), one thread, three rounds of 3 s each:
 *   leptonica  Leptonica's guarded reader alone (TurboJpeg.decode: the whole image as 32-bit pixels), the path of JPEGs
 *              that are not PlainJpeg (progressive, CMYK, ...)
 *   libjpeg    libjpeg-turbo's own API alone (PlainJpeg.parse, TurboJpeg.open, every row read), the path of the rest
 *   pixels     the server's whole InputDecoder.pixels: libjpeg rows as far as the resize needs, the Java crop-resize
 *              and the rounding to raw pixels
 * The package-private classes are reached by reflection.
 *
 *   usage: java --enable-native-access=ALL-UNNAMED [-XX:TieredStopAtLevel=1] -cp "server/target/lib/*" \
 *              bench/java/DecodeProfile.java MODEL.tflite FILE...
 */
import dev.mlpack.runtime.image.*;
import dev.mlpack.runtime.metadata.ModelInfo;
import java.lang.reflect.*;
import java.nio.file.*;
import java.util.*;

public class DecodeProfile {
    public static void main(String[] a) throws Throwable {
        ImagePipeline pipeline = ModelInfo.read(Path.of(a[0])).orElseThrow().pipeline();
        List<byte[]> files = new ArrayList<>();
        for (int i = 1; i < a.length; i++) files.add(Files.readAllBytes(Path.of(a[i])));
        InputDecoder dec = new InputDecoder(pipeline, 4096L * 4096);
        Class<?> tj = Class.forName("dev.mlpack.runtime.image.TurboJpeg");
        Class<?> plainJpeg = Class.forName("dev.mlpack.runtime.image.PlainJpeg");
        Class<?> rowsClass = Class.forName("dev.mlpack.runtime.image.JpegRows");
        Method get = open(tj, "get");
        Object turbo = ((Optional<?>) get.invoke(null)).orElseThrow();
        Method leptonica = open(tj, "decode", byte[].class, int.class, int.class, int.class);
        Method parse = open(plainJpeg, "parse", byte[].class, int.class, int.class);
        Method openRows = open(tj, "open", plainJpeg, int.class);
        Method height = open(rowsClass, "height");
        Method row = open(rowsClass, "row", int.class);
        for (int round = 0; round < 3; round++) {
            double leptonicaMs = time(files, f -> leptonica.invoke(turbo, f, 0, f.length, 1));
            double libjpegMs = time(files, f -> {
                try (AutoCloseable rows = (AutoCloseable) openRows.invoke(turbo, parse.invoke(null, f, 0, f.length), 1)) {
                    for (int y = 0, h = (int) height.invoke(rows); y < h; y++) row.invoke(rows, y);
                }
            });
            double pixelsMs = time(files, f -> dec.pixels(f, 0, f.length, "x", InputDecoder.MemoryGate.NONE));
            System.out.printf("leptonica %.3f ms, libjpeg %.3f ms, pixels %.3f ms%n", leptonicaMs, libjpegMs, pixelsMs);
        }
    }

    interface Step { void run(byte[] file) throws Exception; }

    static double time(List<byte[]> files, Step step) throws Exception {
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - t0 < 3e9) step.run(files.get(n++ % files.size()));
        return (System.nanoTime() - t0) / 1e6 / n;
    }

    static Method open(Class<?> c, String name, Class<?>... args) throws NoSuchMethodException {
        Method m = c.getDeclaredMethod(name, args);
        m.setAccessible(true);
        return m;
    }
}
