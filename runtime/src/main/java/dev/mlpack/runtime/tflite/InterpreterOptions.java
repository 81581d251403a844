package dev.mlpack.runtime.tflite;

/**
 * How to build a {@link TfliteInterpreter}.
 *
 * @param numThreads threads for both TFLite's kernels and XNNPACK's thread pool; 1 means run on
 *     the calling thread only, which is what a server with one interpreter per request thread wants
 * @param xnnpack whether XNNPACK runs the graph (see {@link XnnpackMode})
 * @param preserveAllTensors keep every intermediate tensor in its own buffer so that all of them
 *     can be read after {@link TfliteInterpreter#invoke()} (calibration, debugging). This costs
 *     memory, and it is incompatible with XNNPACK, which computes its partitions internally and
 *     never writes their intermediate tensors back
 */
public record InterpreterOptions(int numThreads, XnnpackMode xnnpack, boolean preserveAllTensors) {

    public InterpreterOptions {
        if (numThreads < 1) {
            throw new IllegalArgumentException("numThreads must be >= 1, got " + numThreads);
        }
        if (xnnpack == null) {
            throw new IllegalArgumentException("xnnpack mode must not be null");
        }
        if (preserveAllTensors && xnnpack != XnnpackMode.OFF) {
            throw new IllegalArgumentException(
                    "preserveAllTensors needs xnnpack=OFF: tensors inside an XNNPACK partition are never written");
        }
    }

    /** One thread, XNNPACK with int8: fastest for serving one request per thread. */
    public static InterpreterOptions defaults() {
        return new InterpreterOptions(1, XnnpackMode.INT8, false);
    }

    /**
     * One thread, no delegate, every tensor preserved: for reading intermediate activations with
     * {@link TfliteInterpreter#readTensorFloats(int)}.
     */
    public static InterpreterOptions forInspection() {
        return new InterpreterOptions(1, XnnpackMode.OFF, true);
    }

    public InterpreterOptions withThreads(int threads) {
        return new InterpreterOptions(threads, xnnpack, preserveAllTensors);
    }

    public InterpreterOptions withXnnpack(XnnpackMode mode) {
        return new InterpreterOptions(numThreads, mode, preserveAllTensors);
    }
}
