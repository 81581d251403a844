package dev.mlpack.optimizer.ir;

/**
 * What each input of a linear op is, for everything that treats weights specially (folding, pruning, quantization,
 * sparse storage): the activation it multiplies, the weights (whose output channels run along
 * {@code weightChannelAxis}), and the bias. -1 where an op has no such input. {@code biasRequired}: the TFLite kernel
 * needs the bias input even when it would be zero (the graph may leave it out; legalization adds zeros).
 */
public record OperandRoles(int activation, int weights, int weightChannelAxis, int bias, boolean biasRequired) {
    /** Ops without weights: input 0 is the activation. */
    public static final OperandRoles ACTIVATION = new OperandRoles(0, -1, -1, -1, false);

    /** A weighted op whose bias input may be absent. */
    public static OperandRoles linear(int activation, int weights, int weightChannelAxis, int bias) {
        return new OperandRoles(activation, weights, weightChannelAxis, bias, false);
    }

    /** These roles, with a bias the kernel cannot do without. */
    public OperandRoles withRequiredBias() {
        return new OperandRoles(activation, weights, weightChannelAxis, bias, true);
    }

    public boolean hasWeights() { return weights >= 0; }

    /** Whether {@code n} has constant weights in this role (a weighted op can also multiply two activations). */
    public boolean constantWeights(Node n) {
        return hasWeights() && n.input(weights) != null && n.input(weights).isConstant();
    }
}
