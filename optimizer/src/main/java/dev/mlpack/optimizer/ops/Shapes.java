package dev.mlpack.optimizer.ops;

import static dev.mlpack.optimizer.ops.Lowerings.int32;
import static dev.mlpack.optimizer.ops.Lowerings.reshapeTo;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.ConstantMath;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Kernels;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.ir.TensorType;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.tf.LoweringTable;
import dev.mlpack.optimizer.tf.TensorProtos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.CastOptions;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.GatherOptions;
import org.tensorflow.lite.schema.PackOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.ShapeOptions;
import org.tensorflow.lite.schema.StridedSliceOptions;

/**
 * Ops that move, select or describe data without arithmetic: reshaping, transposing, padding, slicing,
 * concatenation, gathering, reversal, and the shape arithmetic (SHAPE, CAST, FILL, RANGE) that folds away when the
 * shapes are static.
 */
public final class Shapes {
    private Shapes() {}

    /** The axis a concatenation, packing or gather works along (negative counts from the end). */
    public record AxisAttrs(int axis) implements Attrs {}

    /** TF's StridedSlice masks. */
    public record StridedSliceAttrs(int beginMask, int endMask, int ellipsisMask, int newAxisMask, int shrinkAxisMask) implements Attrs {}

    /** The type converted to (CAST, and SHAPE's output). */
    public record TypeAttrs(DType type) implements Attrs {}

    /** Any number of tensors, joined along the axis. */
    public static final OpSpec<AxisAttrs> CONCATENATION = OpSpec.builder("CONCATENATION", BuiltinOperator.CONCATENATION, AxisAttrs.class)
            .shape(Shapes::concatShape).folder(Shapes::concat).int8(Int8Spec.SAME_AS_ALL_INPUTS)
            // The options have a fused activation, but the kernel rejects anything but NONE.
            .encoding(Encoding.withOptions(BuiltinOptions.ConcatenationOptions, (fb, n, a) ->
                    ConcatenationOptions.createConcatenationOptions(fb, a.axis(), Activation.NONE.tfliteCode)))
            .build();

    /** x, shape (int32). */
    public static final OpSpec<Attrs.None> RESHAPE = OpSpec.builder("RESHAPE", BuiltinOperator.RESHAPE)
            .shape((n, a) -> ShapeRules.one(n.input(0).dtype(), ShapeRules.resolveReshape(n.input(0).shape(), n.input(1).data().ints())))
            .folder((n, a) -> n.input(0).data().reshaped(n.output().shape())).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.withOptions(BuiltinOptions.ReshapeOptions, (fb, n, a) ->
                    ReshapeOptions.createReshapeOptions(fb, ReshapeOptions.createNewShapeVector(fb, n.output().shape().dims())),
                    (n, a, p) -> 1))
            .build();

    /** x, perm (int32). */
    public static final OpSpec<Attrs.None> TRANSPOSE = OpSpec.builder("TRANSPOSE", BuiltinOperator.TRANSPOSE)
            .shape((n, a) -> {
                int[] x = n.input(0).shape().dims(), perm = n.input(1).data().ints();
                int[] out = new int[perm.length];
                for (int i = 0; i < perm.length; i++) out[i] = x[perm[i]];
                return ShapeRules.one(n.input(0).dtype(), out);
            })
            .folder((n, a) -> ConstantMath.transpose(n.input(0).data(), n.input(1).data().ints())).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.plainInt8V2()).build();

    /** x, paddings (int32 [rank, 2]): zeros around x. */
    public static final OpSpec<Attrs.None> PAD = OpSpec.builder("PAD", BuiltinOperator.PAD).shape((n, a) -> padShape(n))
            .int8(Int8Spec.SAME_AS_FIRST_INPUT).encoding(Encoding.plainInt8V2()).build();

    /** x, paddings, constant value: that value around x. */
    public static final OpSpec<Attrs.None> PADV2 = OpSpec.builder("PADV2", BuiltinOperator.PADV2).shape((n, a) -> padShape(n))
            .int8(Int8Spec.sameAs(0, 2)).encoding(Encoding.plainInt8V2()).build();

    /** x, begin, end, strides. */
    public static final OpSpec<StridedSliceAttrs> STRIDED_SLICE = OpSpec.builder("STRIDED_SLICE", BuiltinOperator.STRIDED_SLICE,
                    StridedSliceAttrs.class)
            .shape((n, a) -> ShapeRules.one(n.input(0).dtype(), StridedSlicePlan.of(n, a).outputDims()))
            .folder(Shapes::stridedSlice).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.withOptions(BuiltinOptions.StridedSliceOptions, (fb, n, a) -> StridedSliceOptions.createStridedSliceOptions(fb,
                    a.beginMask(), a.endMask(), a.ellipsisMask(), a.newAxisMask(), a.shrinkAxisMask(), false)))
            .build();

    /** x, begin, size. */
    public static final OpSpec<Attrs.None> SLICE = OpSpec.builder("SLICE", BuiltinOperator.SLICE)
            .shape((n, a) -> {
                int[] x = n.input(0).shape().dims(), begin = n.input(1).data().ints(), size = n.input(2).data().ints();
                int[] out = new int[x.length];
                for (int i = 0; i < x.length; i++) out[i] = size[i] == -1 ? x[i] - begin[i] : size[i];
                return ShapeRules.one(n.input(0).dtype(), out);
            })
            .folder(Shapes::slice).int8(Int8Spec.SAME_AS_FIRST_INPUT).encoding(Encoding.plainInt8V2()).build();

    /** Any number of same-shaped tensors, stacked along a new axis. */
    public static final OpSpec<AxisAttrs> PACK = OpSpec.builder("PACK", BuiltinOperator.PACK, AxisAttrs.class)
            .shape((n, a) -> {
                int[] x = n.input(0).shape().dims();
                int axis = a.axis() < 0 ? a.axis() + x.length + 1 : a.axis();
                int[] out = new int[x.length + 1];
                for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? n.inputs().size() : x[j++];
                return ShapeRules.one(n.input(0).dtype(), out);
            })
            .folder(Shapes::pack).int8(Int8Spec.SAME_AS_ALL_INPUTS)
            .encoding(Encoding.withOptions(BuiltinOptions.PackOptions, (fb, n, a) -> PackOptions.createPackOptions(fb, n.inputs().size(), a.axis())))
            .build();

    /** The input's shape, known statically: it folds even when the input is computed at run time. */
    public static final OpSpec<TypeAttrs> SHAPE = OpSpec.builder("SHAPE", BuiltinOperator.SHAPE, TypeAttrs.class)
            .shape((n, a) -> ShapeRules.one(a.type(), n.input(0).shape().rank()))
            .folder((n, a) -> {
                int[] dims = n.input(0).shape().dims();
                return Kernels.make(a.type(), new int[] {dims.length}, Arrays.stream(dims).asDoubleStream().toArray());
            })
            .foldsFromShapes()
            .encoding(Encoding.withOptions(BuiltinOptions.ShapeOptions, (fb, n, a) -> ShapeOptions.createShapeOptions(fb, Encoding.tensorType(a.type())),
                    (n, a, p) -> 1))
            .build();

    public static final OpSpec<TypeAttrs> CAST = OpSpec.builder("CAST", BuiltinOperator.CAST, TypeAttrs.class)
            .shape((n, a) -> ShapeRules.one(a.type(), n.input(0).shape().dims()))
            .folder((n, a) -> n.input(0).data().castTo(a.type()))
            .encoding(Encoding.withOptions(BuiltinOptions.CastOptions, (fb, n, a) -> CastOptions.createCastOptions(fb,
                    Encoding.tensorType(n.input(0).dtype()), Encoding.tensorType(a.type())), (n, a, p) -> 1))
            .build();

    /** dims, value. */
    public static final OpSpec<Attrs.None> FILL = OpSpec.builder("FILL", BuiltinOperator.FILL)
            .shape((n, a) -> ShapeRules.one(n.input(1).dtype(), n.input(0).data().ints()))
            .folder((n, a) -> {
                int[] dims = n.input(0).data().ints();
                double[] v = new double[(int) Shape.of(dims).elementCount()];
                Constant value = n.input(1).data();
                Arrays.fill(v, value.isFloating() ? value.floatAt(0) : value.longAt(0));
                return Kernels.make(value.dtype(), dims, v);
            })
            .encoding(Encoding.plain()).build();

    /** start, limit, delta. */
    public static final OpSpec<Attrs.None> RANGE = OpSpec.builder("RANGE", BuiltinOperator.RANGE)
            .shape((n, a) -> ShapeRules.one(n.input(0).dtype(), rangeLength(n)))
            .folder((n, a) -> {
                double start = n.input(0).data().floatAt(0), delta = n.input(2).data().floatAt(0);
                double[] v = new double[rangeLength(n)];
                for (int i = 0; i < v.length; i++) v[i] = start + i * delta;
                return Kernels.make(n.input(0).dtype(), new int[] {v.length}, v);
            })
            .encoding(Encoding.plain()).build();

    /** params, indices. */
    public static final OpSpec<AxisAttrs> GATHER = OpSpec.builder("GATHER", BuiltinOperator.GATHER, AxisAttrs.class)
            .shape(Shapes::gatherShape).folder(Shapes::gather).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.withOptions(BuiltinOptions.GatherOptions, (fb, n, a) -> GatherOptions.createGatherOptions(fb, a.axis(), 0)))
            .build();

    /** x, axis (int32 [1]): x reversed along the axis. */
    public static final OpSpec<Attrs.None> REVERSE_V2 = OpSpec.builder("REVERSE_V2", BuiltinOperator.REVERSE_V2)
            .shape((n, a) -> ShapeRules.same(n)).folder(Shapes::reverse).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.plain()).build();

    public static List<OpSpec<?>> specs() {
        return List.of(CONCATENATION, RESHAPE, TRANSPOSE, PAD, PADV2, STRIDED_SLICE, SLICE, PACK, SHAPE, CAST, FILL, RANGE, GATHER,
                REVERSE_V2);
    }

    // ---- shape rules and folders ----------------------------------------------------------------------------

    private static TensorType[] concatShape(Node n, AxisAttrs a) {
        int[] out = n.input(0).shape().dims();
        int axis = a.axis() < 0 ? a.axis() + out.length : a.axis();
        for (int i = 1; i < n.inputs().size(); i++) out[axis] += n.input(i).shape().dim(axis);
        return ShapeRules.one(n.input(0).dtype(), out);
    }

    private static TensorType[] padShape(Node n) {
        int[] x = n.input(0).shape().dims(), p = n.input(1).data().ints();
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] + p[2 * i] + p[2 * i + 1];
        return ShapeRules.one(n.input(0).dtype(), out);
    }

    private static TensorType[] gatherShape(Node n, AxisAttrs a) {
        int[] p = n.input(0).shape().dims(), idx = n.input(1).shape().dims();
        int axis = a.axis() < 0 ? a.axis() + p.length : a.axis();
        int[] out = new int[p.length - 1 + idx.length];
        int k = 0;
        for (int i = 0; i < axis; i++) out[k++] = p[i];
        for (int d : idx) out[k++] = d;
        for (int i = axis + 1; i < p.length; i++) out[k++] = p[i];
        return ShapeRules.one(n.input(0).dtype(), out);
    }

    private static int rangeLength(Node n) {
        double start = n.input(0).data().floatAt(0), limit = n.input(1).data().floatAt(0), delta = n.input(2).data().floatAt(0);
        return (int) Math.max(0, Math.ceil((limit - start) / delta));
    }

    /** The inputs joined along {@code axis} of the output; {@code chunk} elements of an input per outer index. */
    private static Constant join(Node n, int axis, java.util.function.ToIntFunction<Value> chunk) {
        int[] out = n.output().shape().dims();
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= out[i];
        double[] result = new double[(int) Shape.of(out).elementCount()];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Value in : n.inputs()) {
                int size = chunk.applyAsInt(in);
                System.arraycopy(Kernels.doubles(in.data()), o * size, result, pos, size);
                pos += size;
            }
        }
        return Kernels.make(n.input(0).dtype(), out, result);
    }

    private static Constant concat(Node n, AxisAttrs a) {
        int[] out = n.output().shape().dims();
        int axis = a.axis() < 0 ? a.axis() + out.length : a.axis();
        int inner = 1;
        for (int i = axis + 1; i < out.length; i++) inner *= out[i];
        final int innerSize = inner;
        return join(n, axis, in -> in.shape().dim(axis) * innerSize);
    }

    private static Constant pack(Node n, AxisAttrs a) {
        int[] out = n.output().shape().dims();
        int axis = a.axis() < 0 ? a.axis() + out.length : a.axis();
        int inner = 1;
        for (int i = axis + 1; i < out.length; i++) inner *= out[i];
        final int innerSize = inner;
        return join(n, axis, in -> innerSize);
    }

    private static Constant stridedSlice(Node n, StridedSliceAttrs attrs) {
        Constant a = n.input(0).data();
        StridedSlicePlan plan = StridedSlicePlan.of(n, attrs);
        int[] dims = a.shape().dims(), inStrides = Kernels.strides(dims);
        double[] v = Kernels.doubles(a);
        double[] result = new double[(int) Shape.of(plan.count()).elementCount()];
        int[] index = new int[dims.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < dims.length; d++) src += (plan.start()[d] + index[d] * plan.stride()[d]) * inStrides[d];
            result[i] = v[src];
            Kernels.increment(index, plan.count());
        }
        return Kernels.make(a.dtype(), plan.outputDims(), result);
    }

    private static Constant slice(Node n, Attrs.None attrs) {
        Constant a = n.input(0).data();
        int[] dims = a.shape().dims(), begin = n.input(1).data().ints(), out = n.output().shape().dims();
        int[] inStrides = Kernels.strides(dims);
        double[] v = Kernels.doubles(a), result = new double[(int) Shape.of(out).elementCount()];
        int[] index = new int[out.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < out.length; d++) src += (begin[d] + index[d]) * inStrides[d];
            result[i] = v[src];
            Kernels.increment(index, out);
        }
        return Kernels.make(a.dtype(), out, result);
    }

    private static Constant gather(Node n, AxisAttrs a) {
        Constant p = n.input(0).data();
        int[] dims = p.shape().dims(), idx = n.input(1).data().ints();
        int axis = a.axis() < 0 ? a.axis() + dims.length : a.axis();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
        double[] v = Kernels.doubles(p), result = new double[outer * idx.length * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (int j : idx) {
                int k = j < 0 ? j + dims[axis] : j;
                System.arraycopy(v, (o * dims[axis] + k) * inner, result, pos, inner);
                pos += inner;
            }
        }
        return Kernels.make(p.dtype(), n.output().shape().dims(), result);
    }

    /** Reverses the input along each axis listed in input 1. */
    private static Constant reverse(Node n, Attrs.None attrs) {
        Constant a = n.input(0).data();
        int[] dims = a.shape().dims(), st = Kernels.strides(dims);
        boolean[] flip = new boolean[dims.length];
        for (int axis : n.input(1).data().ints()) flip[axis < 0 ? axis + dims.length : axis] = true;
        double[] v = Kernels.doubles(a), result = new double[v.length];
        int[] index = new int[dims.length];
        for (int i = 0; i < result.length; i++) {
            int src = 0;
            for (int d = 0; d < dims.length; d++) src += (flip[d] ? dims[d] - 1 - index[d] : index[d]) * st[d];
            result[i] = v[src];
            Kernels.increment(index, dims);
        }
        return Kernels.make(a.dtype(), dims, result);
    }

    // ---- TF lowerings -----------------------------------------------------------------------------------------

    static void lowerings(LoweringTable t) {
        t.add("Pad", c -> List.of(c.emit(PAD, c.input(0), int32(c, 1, "paddings"))));
        t.add("PadV2", c -> {
            Constant value = c.constantInput(2, "constant value");
            if (value.allEqual(0)) return List.of(c.emit(PAD, c.input(0), int32(c, 1, "paddings")));
            return List.of(c.emit(PADV2, c.input(0), int32(c, 1, "paddings"), c.input(2)));
        });
        t.add("ConcatV2", c -> {
            int n = c.inputCount() - 1;
            int axis = (int) c.constantInput(n, "axis").longAt(0);
            List<Value> parts = c.inputs().subList(0, n);
            if (n == 1) return List.of(parts.get(0));
            return List.of(c.emit(CONCATENATION, parts, new AxisAttrs(axis)));
        });
        t.add("Pack", c -> List.of(c.emit(PACK, c.inputs(), new AxisAttrs((int) c.intAttr("axis", 0)))));
        t.add("Reshape", c -> List.of(c.emit(RESHAPE, c.input(0), int32(c, 1, "shape"))));
        t.add("Squeeze", c -> {
            Value x = c.input(0);
            int[] dims = x.shape().dims();
            int[] axes = c.intsAttr("squeeze_dims");
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < dims.length; i++) {
                final int d = i;
                boolean drop = axes.length == 0 ? dims[i] == 1 : Arrays.stream(axes).anyMatch(ax -> (ax < 0 ? ax + dims.length : ax) == d);
                if (!drop) kept.add(dims[i]);
            }
            return List.of(reshapeTo(c, x, kept.stream().mapToInt(Integer::intValue).toArray()));
        });
        t.add("ExpandDims", c -> {
            Value x = c.input(0);
            int axis = (int) c.constantInput(1, "axis").longAt(0);
            int[] dims = x.shape().dims();
            if (axis < 0) axis += dims.length + 1;
            int[] out = new int[dims.length + 1];
            for (int i = 0, j = 0; i < out.length; i++) out[i] = i == axis ? 1 : dims[j++];
            return List.of(reshapeTo(c, x, out));
        });
        t.add("Shape", c -> List.of(c.emit(SHAPE, List.of(c.input(0)), new TypeAttrs(TensorProtos.dtype(c.attr("out_type").getType())))));
        t.add("Size", c -> List.of(c.constant("size", Constant.ofLongs(DType.INT32, Shape.SCALAR,
                new long[] {c.input(0).shape().elementCount()}))));
        t.add("Rank", c -> List.of(c.constant("rank", Constant.ofLongs(DType.INT32, Shape.SCALAR, new long[] {c.input(0).shape().rank()}))));
        t.add("StridedSlice", c -> List.of(c.emit(STRIDED_SLICE,
                List.of(c.input(0), int32(c, 1, "begin"), int32(c, 2, "end"), int32(c, 3, "strides")),
                new StridedSliceAttrs((int) c.intAttr("begin_mask", 0), (int) c.intAttr("end_mask", 0), (int) c.intAttr("ellipsis_mask", 0),
                        (int) c.intAttr("new_axis_mask", 0), (int) c.intAttr("shrink_axis_mask", 0)))));
        t.add("Slice", c -> List.of(c.emit(SLICE, c.input(0), int32(c, 1, "begin"), int32(c, 2, "size"))));
        t.add("Transpose", c -> List.of(c.emit(TRANSPOSE, c.input(0), int32(c, 1, "perm"))));
        t.add("Cast", c -> {
            DType to = TensorProtos.dtype(c.attr("DstT").getType());
            Value x = c.input(0);
            if (x.dtype() == to) return List.of(x);
            return List.of(c.emit(CAST, List.of(x), new TypeAttrs(to)));
        });
        t.add("Fill", c -> List.of(c.emit(FILL, int32(c, 0, "dims"), c.input(1))));
        t.add("ZerosLike", c -> List.of(c.constant("zeros", filledLike(c.input(0), 0))));
        t.add("OnesLike", c -> List.of(c.constant("ones", filledLike(c.input(0), 1))));
        t.add("Range", c -> List.of(c.emit(RANGE, c.input(0), c.input(1), c.input(2))));
        t.add("GatherV2", c -> {
            if (c.intAttr("batch_dims", 0) != 0) throw c.unsupported("GatherV2 with batch_dims");
            int axis = (int) c.constantInput(2, "axis").longAt(0);
            return List.of(c.emit(GATHER, List.of(c.input(0), int32(c, 1, "indices")), new AxisAttrs(axis)));
        });
        t.add("ReverseV2", c -> {
            // TFLite's kernel reverses one axis per op.
            Value x = c.input(0);
            for (int axis : c.constantInput(1, "axis").ints()) x = c.emit(REVERSE_V2, x, c.constant("axis", Constant.ofInts(axis)));
            return List.of(x);
        });
    }

    private static Constant filledLike(Value like, float fill) {
        float[] v = new float[(int) like.shape().elementCount()];
        Arrays.fill(v, fill);
        return Constant.ofFloats(like.shape(), v).castTo(like.dtype());
    }
}
