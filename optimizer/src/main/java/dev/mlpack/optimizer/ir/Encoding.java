package dev.mlpack.optimizer.ir;

import com.google.flatbuffers.FlatBufferBuilder;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.TensorType;

/**
 * How an op is written to a .tflite: its builtin options table (type and content) and the operator version its
 * tensor types and options need. A version above what a runtime registers is rejected at load, so ops stay at 1
 * unless TFLite's versioning rules say otherwise.
 */
public record Encoding<A extends Attrs>(byte optionsType, Options<A> options, Version<A> version) {
    /** Writes the options table; returns its offset. */
    @FunctionalInterface
    public interface Options<A> {
        int write(FlatBufferBuilder fb, Node n, A attrs);
    }

    /** The operator version for this node written at this precision. */
    @FunctionalInterface
    public interface Version<A> {
        int of(Node n, A attrs, Precision precision);
    }

    /** The arithmetic a written op runs in, which its version depends on. */
    public enum Precision {
        FLOAT,
        /** int8 activations and weights. */
        INT8,
        /** int8 weights, float activations (dynamic-range quantization). */
        HYBRID
    }

    /** No options table; version 1. */
    public static <A extends Attrs> Encoding<A> plain() { return new Encoding<>(BuiltinOptions.NONE, null, (n, a, p) -> 1); }

    /** No options table; version 2 for int8, else 1 (most elementwise and data-movement kernels). */
    public static <A extends Attrs> Encoding<A> plainInt8V2() {
        return new Encoding<>(BuiltinOptions.NONE, null, (n, a, p) -> p == Precision.INT8 ? 2 : 1);
    }

    /** An options table; version 2 for int8, else 1. */
    public static <A extends Attrs> Encoding<A> withOptions(byte type, Options<A> options) {
        return new Encoding<>(type, options, (n, a, p) -> p == Precision.INT8 ? 2 : 1);
    }

    /** An options table and an op-specific version rule. */
    public static <A extends Attrs> Encoding<A> withOptions(byte type, Options<A> options, Version<A> version) {
        return new Encoding<>(type, options, version);
    }

    /** TFLite's TensorType for a dtype. */
    public static byte tensorType(DType t) {
        return switch (t) {
            case FLOAT32 -> TensorType.FLOAT32;
            case FLOAT16 -> TensorType.FLOAT16;
            case INT32 -> TensorType.INT32;
            case INT64 -> TensorType.INT64;
            case INT8 -> TensorType.INT8;
            case UINT8 -> TensorType.UINT8;
            case BOOL -> TensorType.BOOL;
            default -> throw new IllegalArgumentException("no TFLite type for " + t);
        };
    }
}
