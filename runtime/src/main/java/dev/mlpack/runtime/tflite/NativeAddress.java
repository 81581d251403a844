package dev.mlpack.runtime.tflite;

import org.bytedeco.javacpp.Pointer;

/** Bridges memory obtained through java.lang.foreign to bytedeco's pointer types. */
final class NativeAddress {
    private NativeAddress() {}

    /**
     * A bytedeco pointer to {@code nativeAddress} that owns nothing and frees nothing; wrap it in
     * a typed pointer with e.g. {@code new TfLiteDelegate(pointerAt(a))}.
     */
    static Pointer pointerAt(long nativeAddress) {
        // The parameter must not be called "address": inside the anonymous class that name means
        // the inherited field, and the assignment would silently do nothing.
        return new Pointer() {
            {
                this.address = nativeAddress;
            }
        };
    }
}
