/*
 * Where a JPEG's decoding time goes (by hand, for BENCHMARKS.md's server section): libjpeg-turbo through Leptonica alone
 * (TurboJpeg.decode, package-private, reached by reflection) against the server's whole InputDecoder.pixels (the same
 * decode plus the copy to the heap and the Java crop-resize to raw pixels), 3 s each, three rounds, one thread.
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
        ModelInfo info = ModelInfo.read(Path.of(a[0])).orElseThrow();
        ImagePipeline pipeline = info.pipeline();
        List<byte[]> files = new ArrayList<>();
        for (int i = 1; i < a.length; i++) files.add(Files.readAllBytes(Path.of(a[i])));
        InputDecoder dec = new InputDecoder(pipeline, 4096L * 4096);
        Class<?> tj = Class.forName("dev.mlpack.runtime.image.TurboJpeg");
        Method get = tj.getDeclaredMethod("get"); get.setAccessible(true);
        Object turbo = ((Optional<?>) get.invoke(null)).orElseThrow();
        Method decode = tj.getDeclaredMethod("decode", byte[].class, int.class, int.class, int.class); decode.setAccessible(true);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime(); int n = 0;
            while (System.nanoTime() - t0 < 3e9) { byte[] f = files.get(n++ % files.size()); decode.invoke(turbo, f, 0, f.length, 1); }
            double turboMs = (System.nanoTime() - t0) / 1e6 / n;
            t0 = System.nanoTime(); n = 0;
            while (System.nanoTime() - t0 < 3e9) { byte[] f = files.get(n++ % files.size()); dec.pixels(f, 0, f.length, "x", InputDecoder.MemoryGate.NONE); }
            double fullMs = (System.nanoTime() - t0) / 1e6 / n;
            System.out.printf("turbo decode %.3f ms, full pixels %.3f ms%n", turboMs, fullMs);
        }
    }
}
