package dev.mlpack.optimizer.ir;

/** Attributes of an op whose TFLite kernel applies a fused activation to its output. */
public interface FusedActivation extends Attrs {
    Activation activation();

    /** The same attributes with another fused activation. */
    FusedActivation withActivation(Activation activation);
}
