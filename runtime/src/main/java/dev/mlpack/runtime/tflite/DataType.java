package dev.mlpack.runtime.tflite;

/**
 * Element type of a TFLite tensor.
 *
 * <p>The codes are TFLite's own {@code TfLiteType} values (stable across TFLite releases because
 * they are part of the C ABI), so a tensor's type can be mapped without going through bytedeco's
 * constant class.
 */
public enum DataType {
    NO_TYPE(0, 0),
    FLOAT32(1, 4),
    INT32(2, 4),
    UINT8(3, 1),
    INT64(4, 8),
    STRING(5, 0),
    BOOL(6, 1),
    INT16(7, 2),
    COMPLEX64(8, 8),
    INT8(9, 1),
    FLOAT16(10, 2),
    FLOAT64(11, 8),
    COMPLEX128(12, 16),
    UINT64(13, 8),
    RESOURCE(14, 0),
    VARIANT(15, 0),
    UINT32(16, 4),
    UINT16(17, 2),
    INT4(18, 0),
    BFLOAT16(19, 2);

    private final int code;
    private final int byteSize;

    DataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The {@code TfLiteType} enum value. */
    public int code() {
        return code;
    }

    /** Bytes per element, or 0 for types without a fixed element size (string, int4, resource). */
    public int byteSize() {
        return byteSize;
    }

    /** True for the 8-bit integer types that int8 TFLite models use for quantized activations. */
    public boolean isEightBit() {
        return this == INT8 || this == UINT8;
    }

    /** Maps a {@code TfLiteType} value; unknown future codes map to {@link #NO_TYPE}. */
    public static DataType fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return NO_TYPE;
    }
}
