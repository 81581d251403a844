package dev.mlpack.optimizer;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;

/**
 * The SavedModel's image input: {@code [batch, height, width, channels]} with 3 channels (RGB) or 1 (grayscale,
 * Fashion-MNIST and MNIST style, fed the image's PIL "L" luma as Keras' {@code color_mode="grayscale"} does).
 */
public final class ImageInput {
    private ImageInput() {}

    /** The input's channels when it is an NHWC image of 1 or 3 channels, else 0. */
    public static int channels(Graph graph) {
        Shape s = graph.inputs().values().iterator().next().shape();
        return s.rank() == 4 && (s.dim(3) == 1 || s.dim(3) == 3) ? s.dim(3) : 0;
    }

    /**
     * Checks that {@code preprocess} works on the input's channels: caffe and torch have per-RGB-channel constants.
     *
     * @throws ConversionException (bad input) for a three-channel mode on a grayscale model
     */
    public static void checkPreprocess(Graph graph, Preprocess preprocess) {
        if (channels(graph) == 1 && !preprocess.worksOn(1)) {
            throw ConversionException.badInput("--preprocess " + preprocess.kerasName() + " has per-RGB-channel constants, but this model"
                    + " takes grayscale images " + graph.inputs().values().iterator().next().shape() + ": use --preprocess tf or raw");
        }
    }

    /**
     * How calibration images become the SavedModel's input: its size and channels, the requested resize and
     * preprocessing.
     *
     * @throws ConversionException (bad input) when the input is not an NHWC image of 1 or 3 channels, or the
     *     preprocessing does not work on its channels
     */
    public static ImagePipeline pipeline(Graph graph, Resize resize, Preprocess preprocess) {
        Shape s = graph.inputs().values().iterator().next().shape();
        if (channels(graph) == 0) {
            throw ConversionException.badInput("int8 calibration needs an image input [batch, height, width, 3] (RGB) or"
                    + " [batch, height, width, 1] (grayscale); this model's input is " + s);
        }
        checkPreprocess(graph, preprocess);
        return new ImagePipeline(s.dim(1), s.dim(2), resize, preprocess, s.dim(3));
    }
}
