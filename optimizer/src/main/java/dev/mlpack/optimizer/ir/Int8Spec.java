package dev.mlpack.optimizer.ir;

/**
 * How an op's int8 kernel constrains its tensors, from TFLite's int8 quantization specification.
 *
 * @param rule the constraint
 * @param sharedInputs for {@link Rule#SAME_AS_INPUT}: the inputs whose parameters the output shares ({@code null}: all)
 */
public record Int8Spec(Rule rule, int[] sharedInputs) {
    public enum Rule {
        /** No int8 kernel: the op stays in float between DEQUANTIZE and QUANTIZE, and is reported. */
        FLOAT_ONLY,
        /** Output parameters are free (the kernel rescales). */
        INDEPENDENT,
        /** Output shares its parameters with inputs (see {@code sharedInputs}). */
        SAME_AS_INPUT,
        /** Output is fixed to scale 1/256, zero point −128 (a probability). */
        FIXED_PROBABILITY,
        /** Output is fixed to scale 1/128, zero point 0 (a value in [−1, 1]). */
        FIXED_SIGNED_UNIT
    }

    public static final Int8Spec FLOAT_ONLY = new Int8Spec(Rule.FLOAT_ONLY, new int[0]);
    public static final Int8Spec INDEPENDENT = new Int8Spec(Rule.INDEPENDENT, new int[0]);
    public static final Int8Spec PROBABILITY = new Int8Spec(Rule.FIXED_PROBABILITY, new int[0]);
    public static final Int8Spec SIGNED_UNIT = new Int8Spec(Rule.FIXED_SIGNED_UNIT, new int[0]);
    /** Output parameters are input 0's (data movement: reshape, pooling, slicing, ...). */
    public static final Int8Spec SAME_AS_FIRST_INPUT = new Int8Spec(Rule.SAME_AS_INPUT, new int[] {0});
    /** Output and every input share one set of parameters (concatenation, packing, max/min). */
    public static final Int8Spec SAME_AS_ALL_INPUTS = new Int8Spec(Rule.SAME_AS_INPUT, null);

    public Int8Spec {
        sharedInputs = sharedInputs == null ? null : sharedInputs.clone();
    }

    /** Output parameters are those of the given inputs. */
    public static Int8Spec sameAs(int... inputs) { return new Int8Spec(Rule.SAME_AS_INPUT, inputs); }

    @Override
    public int[] sharedInputs() { return sharedInputs == null ? null : sharedInputs.clone(); }
}
