package dev.mlpack.optimizer.ir;

/** Element types the converter understands. RESOURCE stands for a TF variable handle before freezing. */
public enum DType {
    FLOAT32(4), FLOAT16(2), INT32(4), INT64(8), INT8(1), UINT8(1), BOOL(1), STRING(0), RESOURCE(0);

    private final int byteSize;

    DType(int byteSize) { this.byteSize = byteSize; }

    public int byteSize() { return byteSize; }

    public boolean isFloating() { return this == FLOAT32 || this == FLOAT16; }

    public boolean isInteger() { return this == INT32 || this == INT64 || this == INT8 || this == UINT8 || this == BOOL; }
}
