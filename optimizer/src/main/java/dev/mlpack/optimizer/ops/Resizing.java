package dev.mlpack.optimizer.ops;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Encoding;
import dev.mlpack.optimizer.ir.Encoding.Precision;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.ShapeRules;
import dev.mlpack.optimizer.tf.LoweringTable;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.ResizeBilinearOptions;
import org.tensorflow.lite.schema.ResizeNearestNeighborOptions;

/** Image resizing inside a model: x, size (int32 [2]). */
public final class Resizing {
    private Resizing() {}

    /** The pixel-centre conventions, as TF's attributes of the same names. */
    public record ResizeAttrs(boolean alignCorners, boolean halfPixelCenters) implements Attrs {}

    public static final OpSpec<ResizeAttrs> RESIZE_BILINEAR = OpSpec.builder("RESIZE_BILINEAR", BuiltinOperator.RESIZE_BILINEAR,
                    ResizeAttrs.class)
            .shape(Resizing::shape).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.withOptions(BuiltinOptions.ResizeBilinearOptions, (fb, n, a) ->
                    ResizeBilinearOptions.createResizeBilinearOptions(fb, a.alignCorners(), a.halfPixelCenters()),
                    (n, a, p) -> a.halfPixelCenters() ? 3 : p == Precision.INT8 ? 2 : 1))
            .build();

    public static final OpSpec<ResizeAttrs> RESIZE_NEAREST_NEIGHBOR = OpSpec.builder("RESIZE_NEAREST_NEIGHBOR",
                    BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, ResizeAttrs.class)
            .shape(Resizing::shape).int8(Int8Spec.SAME_AS_FIRST_INPUT)
            .encoding(Encoding.withOptions(BuiltinOptions.ResizeNearestNeighborOptions, (fb, n, a) ->
                    ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(fb, a.alignCorners(), a.halfPixelCenters()),
                    (n, a, p) -> a.halfPixelCenters() || a.alignCorners() ? 3 : p == Precision.INT8 ? 2 : 1))
            .build();

    public static List<OpSpec<?>> specs() { return List.of(RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR); }

    private static dev.mlpack.optimizer.ir.TensorType[] shape(dev.mlpack.optimizer.ir.Node n, ResizeAttrs a) {
        int[] x = n.input(0).shape().dims(), size = n.input(1).data().ints();
        return ShapeRules.one(n.input(0).dtype(), x[0], size[0], size[1], x[3]);
    }

    static void lowerings(LoweringTable t) {
        for (var e : List.of(java.util.Map.entry("ResizeBilinear", RESIZE_BILINEAR),
                java.util.Map.entry("ResizeNearestNeighbor", RESIZE_NEAREST_NEIGHBOR))) {
            t.add(e.getKey(), c -> List.of(c.emit(e.getValue(), List.of(c.input(0), Lowerings.int32(c, 1, "size")),
                    new ResizeAttrs(c.boolAttr("align_corners", false), c.boolAttr("half_pixel_centers", false)))));
        }
        for (String warp : List.of("ImageProjectiveTransformV2", "ImageProjectiveTransformV3")) {
            t.add(warp, c -> {
                throw c.unsupported(c.opType() + " (an image warp, such as keras.ops.image.affine_transform, outside a"
                        + " random augmentation layer), which TFLite has no op for");
            });
        }
    }
}
