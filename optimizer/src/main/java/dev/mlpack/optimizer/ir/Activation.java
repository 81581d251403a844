package dev.mlpack.optimizer.ir;

/** Activations that TFLite can fuse into the op that produces a tensor. */
public enum Activation {
    NONE(0), RELU(1), RELU_N1_TO_1(2), RELU6(3), TANH(4);

    /** The value of TFLite's ActivationFunctionType. */
    public final byte tfliteCode;

    Activation(int code) { this.tfliteCode = (byte) code; }
}
