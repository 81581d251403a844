package dev.mlpack.packager;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Heroku dyno sizes and how mlpack divides each one's memory (MB). Memory figures are Heroku's documented dyno
 * sizes (Eco, Basic and Standard-1X 512 MB, Standard-2X 1 GB, Performance-M 2.5 GB, Performance-L 14 GB).
 *
 * <p>The JVM's share is fixed per size: heap ({@code -Xmx}), metaspace, JIT code cache, direct buffers, thread
 * stacks (threads x {@code -Xss}), the JVM's own native memory (GC structures, class data sharing, libjvm and the
 * TFLite libraries' text), and a safety margin of 10% of the dyno (malloc fragmentation; Heroku reports R14 as
 * soon as the dyno goes over its quota). What is left is for the TFLite interpreters (see {@link JvmSizing}).
 * {@code workers} is how many interpreters the size's CPU share keeps busy: the shared-CPU sizes get one, the
 * dedicated ones one per core (Performance-M 2, Performance-L 8).
 */
public enum Dyno {
    //            RAM    heap  meta  code  direct threads xss(KB) jvm  workers
    ECO(         512,   160,  64,   32,   16,    64,     512,    40,  1),
    BASIC(       512,   160,  64,   32,   16,    64,     512,    40,  1),
    STANDARD_1X( 512,   160,  64,   32,   16,    64,     512,    40,  1),
    STANDARD_2X( 1024,  320,  64,   48,   32,    64,     512,    48,  2),
    PERFORMANCE_M(2560, 768,  96,   64,   64,    128,    512,    64,  2),
    PERFORMANCE_L(14336, 2048, 128, 128,  128,   256,    512,    96,  8);

    final int memoryMb;
    final int heapMb;
    final int metaspaceMb;
    final int codeCacheMb;
    final int directMb;
    final int threads;
    final int stackKb;
    final int jvmNativeMb;
    final int workers;

    Dyno(int memoryMb, int heapMb, int metaspaceMb, int codeCacheMb, int directMb, int threads, int stackKb, int jvmNativeMb,
            int workers) {
        this.memoryMb = memoryMb;
        this.heapMb = heapMb;
        this.metaspaceMb = metaspaceMb;
        this.codeCacheMb = codeCacheMb;
        this.directMb = directMb;
        this.threads = threads;
        this.stackKb = stackKb;
        this.jvmNativeMb = jvmNativeMb;
        this.workers = workers;
    }

    /** {@code standard-1x}: the name Heroku's CLI, app.json and the {@code --dyno} option use. */
    public String cliName() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    /** {@code Standard-1X}: the name in Heroku's documentation. */
    public String displayName() {
        return Arrays.stream(name().split("_")).map(p -> p.charAt(0) + p.substring(1).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining("-")).replace("-1x", "-1X").replace("-2x", "-2X").replace("-m", "-M")
                .replace("-l", "-L");
    }

    public long memoryBytes() { return memoryMb * Sizes.MB; }

    public int memoryMb() { return memoryMb; }

    /** Accepts {@code standard-1x}, {@code Standard-1X}, {@code standard_1x}. */
    public static Dyno parse(String text) {
        String key = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Dyno d : values()) {
            if (d.name().equals(key)) return d;
        }
        throw PackageException.badInput("unknown dyno size '" + text + "': choose one of "
                + Arrays.stream(values()).map(Dyno::cliName).collect(Collectors.joining(", ")));
    }
}
