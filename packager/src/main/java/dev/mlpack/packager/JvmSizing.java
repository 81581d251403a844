package dev.mlpack.packager;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JVM flags for one dyno size and the memory arithmetic behind them.
 *
 * <pre>
 *   dyno RAM = heap + metaspace + code cache + direct buffers + threads x stack + JVM native + margin (10%)
 *              + interpreters
 *   interpreters = model buffer + workers x (XNNPACK's repacked weights ~ weight bytes + activations)
 * </pre>
 *
 * The server loads the model into native memory once; every worker's interpreter repacks the weights for XNNPACK
 * (about the weights' size again) and plans an arena for the activations (at most the sum of the non-constant
 * tensors, an upper bound since TFLite reuses arena memory). Workers are reduced until the interpreters fit, never
 * below one.
 *
 * @param dyno the size the flags are for
 * @param modelBytes the .tflite file's size
 * @param weightBytes bytes of constant tensors (weights, biases)
 * @param activationBytes bytes of the non-constant tensors
 * @param workers interpreters the server may run at once
 */
public record JvmSizing(Dyno dyno, long modelBytes, long weightBytes, long activationBytes, int workers) {

    /** The sizing for {@code dyno}, with as many workers (up to the dyno's CPU share) as the interpreters' memory allows. */
    public static JvmSizing forDyno(Dyno dyno, ModelFootprint model) {
        long left = interpreterBudgetBytes(dyno);
        long perWorker = model.weightBytes() + model.activationBytes();
        int workers = dyno.workers;
        while (workers > 1 && model.fileBytes() + workers * perWorker > left) workers--;
        return new JvmSizing(dyno, model.fileBytes(), model.weightBytes(), model.activationBytes(), workers);
    }

    /** What a dyno has left for the interpreters once the JVM, its native memory and the margin are counted. */
    public static long interpreterBudgetBytes(Dyno dyno) {
        return (dyno.memoryMb - jvmMb(dyno) - marginMb(dyno)) * Sizes.MB;
    }

    static int jvmMb(Dyno d) {
        return d.heapMb + d.metaspaceMb + d.codeCacheMb + d.directMb + stacksMb(d) + d.jvmNativeMb;
    }

    static int stacksMb(Dyno d) { return d.threads * d.stackKb / 1024; }

    static int marginMb(Dyno d) { return d.memoryMb / 10; }

    /** Native memory the interpreters need: the model buffer plus, per worker, repacked weights and activations. */
    public long interpreterBytes() {
        return modelBytes + workers * (weightBytes + activationBytes);
    }

    /** Whether the interpreters fit what the dyno leaves them. */
    public boolean fits() { return interpreterBytes() <= interpreterBudgetBytes(dyno); }

    /** The estimated peak resident memory: the JVM's reserved share plus the interpreters. */
    public long estimatedPeakBytes() { return jvmMb(dyno) * Sizes.MB + interpreterBytes(); }

    /** The young generation: 30% of the heap (48 MB of Standard-1X's 160). */
    static int youngMb(Dyno d) { return d.heapMb * 3 / 10; }

    /** The JVM options, in a fixed order. */
    public List<String> flags() {
        return flags(dyno);
    }

    /** The JVM options for {@code dyno} (they depend on nothing else): the Procfile's, and {@code mlpack serve}'s. */
    public static List<String> flags(Dyno dyno) {
        List<String> f = new ArrayList<>();
        // The heap starts at the young generation plus a little and grows only as far as it is used: the JVM's default
        // initial heap is 1/64 of the RAM it sees, and a dyno shows the host's RAM. A fixed, roomy young generation with
        // survivor spaces that hold the requests in flight (-XX:SurvivorRatio=4) keeps their buffers from being promoted:
        // measured with 16 clients, peak RSS 139 MB, against 247 MB with -Xms16m and the default sizing, whose old
        // generation grew to the whole -Xmx before its first full collection (BENCHMARKS.md, "Inference server").
        f.add("-Xms" + (youngMb(dyno) + 16) + "m");
        f.add("-Xmx" + dyno.heapMb + "m");
        f.add("-Xmn" + youngMb(dyno) + "m");
        f.add("-XX:SurvivorRatio=4");
        f.add("-XX:MaxTenuringThreshold=15");
        f.add("-Xss" + dyno.stackKb + "k");
        f.add("-XX:MaxMetaspaceSize=" + dyno.metaspaceMb + "m");
        f.add("-XX:ReservedCodeCacheSize=" + dyno.codeCacheMb + "m");
        f.add("-XX:MaxDirectMemorySize=" + dyno.directMb + "m");
        // One GC thread and the smallest GC bookkeeping; pauses on these heaps are a few ms.
        f.add("-XX:+UseSerialGC");
        // The JIT compiles after ten times the usual invocations and loop iterations: during the boot C1's thread took
        // 170-200 ms of CPU, a third of the boot's, on cores the boot needs; this way 80-110 ms, and the boot to /ping is
        // 28-53 ms shorter (BENCHMARKS.md, "Inference server"). The hot loops compile within the first requests.
        // Tiered C2, not C1 alone (-XX:TieredStopAtLevel=1): once JPEGs decode through libjpeg's own API, the Java
        // crop-resize is a fifth of a request's CPU, and C2 runs it in 0.44 ms against C1's 0.70; served throughput
        // 62-63% of invoke-only (medians of 5 rounds) against C1's 54-58%, for 20 MB more RSS and the same boot.
        f.add("-XX:CompileThresholdScaling=10");
        // Locale data from java.base alone, not CLDR's: Jetty's MimeTypes lists the JVM's locales when its class
        // initialises, and listing CLDR's 1,158 took 54-67 ms of CPU (java.base's 166: 20-31 ms). Boot to /ping, 5 starts
        // each, alternating: 373 ms (CPU 450 ms) against 459 ms (570 ms) with CLDR (BENCHMARKS.md, "Inference server").
        // The server formats text in Locale.ROOT only, whose data java.base holds.
        f.add("-Djava.locale.providers=SPI");
        // No -XX:+ExitOnOutOfMemoryError: the server answers a request whose decoding runs out of heap with 503 and
        // goes on; measured, 8 concurrent 4000x4000 JPEGs at -Xmx160m: 503s and 200s with it off, a dead process with it on.
        // No hsperfdata file in /tmp: the server must run on a read-only filesystem.
        f.add("-XX:-UsePerfData");
        // The runtime calls TFLite through the FFM API.
        f.add("--enable-native-access=ALL-UNNAMED");
        return f;
    }

    /** The arithmetic as lines for the artifact's README. */
    public List<String> arithmetic() {
        Dyno d = dyno;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s dyno: %d MB", d.displayName(), d.memoryMb));
        lines.add(String.format(Locale.ROOT, "  heap -Xmx%dm + metaspace %d MB + code cache %d MB + direct buffers %d MB", d.heapMb,
                d.metaspaceMb, d.codeCacheMb, d.directMb));
        lines.add(String.format(Locale.ROOT, "  + thread stacks %d x %d KB = %d MB + JVM native memory %d MB = %d MB for the JVM",
                d.threads, d.stackKb, stacksMb(d), d.jvmNativeMb, jvmMb(d)));
        lines.add(String.format(Locale.ROOT, "  + safety margin 10%% = %d MB -> %d MB left for the TFLite interpreters", marginMb(d),
                interpreterBudgetBytes(d) / Sizes.MB));
        lines.add(String.format(Locale.ROOT, "  interpreters: model %s + %d worker(s) x (weights %s + activations <= %s) = %s (%s)",
                Sizes.format(modelBytes), workers, Sizes.format(weightBytes), Sizes.format(activationBytes),
                Sizes.format(interpreterBytes()), fits() ? "fits" : "does NOT fit"));
        return lines;
    }
}
