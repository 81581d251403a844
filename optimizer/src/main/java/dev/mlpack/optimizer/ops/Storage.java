package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.ShapeRules;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * Ops that change how a tensor is stored, not what it holds: the passes that quantize a model or store its weights as
 * float16 or sparse insert them; no TF op lowers to them.
 */
public final class Storage {
    private Storage() {}

    /** A float tensor to int8 (or int8 to int8 with other parameters, or uint8 pixels to int8). */
    public static final OpSpec<Shapes.TypeAttrs> QUANTIZE = OpSpec.builder("QUANTIZE", BuiltinOperator.QUANTIZE, Shapes.TypeAttrs.class)
            .shape((n, a) -> ShapeRules.one(a.type(), n.input(0).shape().dims())).int8(Int8Spec.INDEPENDENT)
            .encoding(Encoding.plain()).build();

    /** An int8, uint8 or float16 tensor to float32. */
    public static final OpSpec<dev.mlpack.optimizer.ir.Attrs.None> DEQUANTIZE = OpSpec.builder("DEQUANTIZE", BuiltinOperator.DEQUANTIZE)
            .shape((n, a) -> ShapeRules.toFloat32(n)).encoding(Encoding.plainInt8V2()).build();

    /** A constant stored in TFLite's sparse format, expanded to the dense tensor its reader takes. */
    public static final OpSpec<dev.mlpack.optimizer.ir.Attrs.None> DENSIFY = OpSpec.builder("DENSIFY", BuiltinOperator.DENSIFY)
            .shape((n, a) -> ShapeRules.same(n)).int8(Int8Spec.SAME_AS_FIRST_INPUT).encoding(Encoding.plain()).build();

    public static List<OpSpec<?>> specs() { return List.of(QUANTIZE, DEQUANTIZE, DENSIFY); }
}
