package dev.mlpack.optimizer.ir;

/** How a sliding window treats the border, as TensorFlow lays it out. */
public enum Padding {
    SAME(org.tensorflow.lite.schema.Padding.SAME), VALID(org.tensorflow.lite.schema.Padding.VALID);

    /** The value of TFLite's Padding enum. */
    public final byte tfliteCode;

    Padding(byte code) { this.tfliteCode = code; }

    /** TF's padding attribute; EXPLICIT paddings become a PAD before a VALID window. */
    public static Padding ofTf(String padding) { return "SAME".equals(padding) ? SAME : VALID; }
}
