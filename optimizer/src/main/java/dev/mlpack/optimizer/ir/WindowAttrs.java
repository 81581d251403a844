package dev.mlpack.optimizer.ir;

/** Attributes of an op that slides a kernel over height and width (convolutions): what its geometry needs. */
public interface WindowAttrs extends Attrs {
    /** Strides along height and width. */
    int[] strides();

    /** Dilations along height and width. */
    int[] dilations();

    Padding padding();
}
