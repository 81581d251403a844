package dev.mlpack.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the process may use, for the default number of workers and queue length: the cores the JVM sees
 * (container-aware) and its maximum heap, which holds every image being decoded.
 */
record Resources(int cores, long maxHeapBytes, long memoryBytes) {

    /** Heap kept free for the server itself, request bodies and JSON. */
    static final long HEAP_RESERVE = 48L << 20;

    static Resources detect() {
        return new Resources(Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory(), containerMemory());
    }

    /**
     * One worker per core, but no more than the heap can hold at once: a worker decoding an image at the pixel
     * limit holds the decoder's raster and the RGB copy (6 bytes a pixel).
     */
    int defaultWorkers(ServerConfig config) {
        long perWorker = 6 * config.maxPixels();
        long byMemory = Math.max(1, (maxHeapBytes - HEAP_RESERVE) / perWorker);
        return (int) Math.max(1, Math.min(cores, byMemory));
    }

    /** Requests that may wait: enough for a few clients per worker, at least 16. */
    int defaultQueue(int workers) {
        return Math.max(16, 4 * workers);
    }

    /** The cgroup (v2, else v1) memory limit, or the machine's memory, or -1; for the startup line only. */
    static long containerMemory() {
        for (String f : new String[] {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
            try {
                String s = Files.readString(Path.of(f)).trim();
                if (!s.equals("max")) {
                    long v = Long.parseLong(s);
                    if (v > 0 && v < (1L << 50)) return v;
                }
            } catch (IOException | NumberFormatException | SecurityException ignored) {
                // not in a cgroup with a limit
            }
        }
        return -1;
    }
}
