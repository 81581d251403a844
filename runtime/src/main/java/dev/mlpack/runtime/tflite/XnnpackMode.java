package dev.mlpack.runtime.tflite;

/** Whether and how an interpreter hands its graph to the XNNPACK delegate. */
public enum XnnpackMode {
    /** No delegate: every op runs on TFLite's built-in kernels. */
    OFF,
    /**
     * XNNPACK for float ops only: what bytedeco's stock build does by default. Quantized ops stay
     * on TFLite's built-in kernels. Kept for comparisons and as a fallback if XNNPACK's int8 path
     * ever misbehaves on a model.
     */
    FLOAT_ONLY,
    /**
     * XNNPACK for float and quantized (signed QS8 and unsigned QU8) ops. The default: on x86 int8
     * convolutions are several times faster than on the built-in kernels.
     */
    INT8
}
