package dev.mlpack.packager;

import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.RgbImage;
import dev.mlpack.runtime.image.Resize;
import dev.mlpack.runtime.metadata.ModelInfo;
import dev.mlpack.runtime.tflite.DataType;
import dev.mlpack.runtime.tflite.InterpreterOptions;
import dev.mlpack.runtime.tflite.TfliteInterpreter;
import dev.mlpack.runtime.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The model run in-process, as the server runs it: the same runtime (TfliteInterpreter with its default XNNPACK
 * options), the preprocessing from the model's metadata (ImagePipeline), raw pixels to a uint8 input and
 * preprocessed floats otherwise. The self-check compares the server's answers with this.
 */
final class OfflineModel implements AutoCloseable {
    private final TfliteModel model;
    private final TfliteInterpreter interpreter;
    private final ImagePipeline pipeline;
    private final boolean pixels;
    private final ImageDecoder decoder = new ImageDecoder();

    OfflineModel(Path tflite) {
        try {
            model = TfliteModel.load(tflite);
        } catch (IOException e) {
            throw PackageException.failed("cannot load " + tflite + ": " + e.getMessage(), e);
        }
        interpreter = model.newInterpreter(InterpreterOptions.defaults());
        ModelInfo info;
        try {
            info = ModelInfo.read(tflite).orElse(null);
        } catch (IOException e) {
            throw PackageException.failed("cannot read " + tflite + ": " + e.getMessage(), e);
        }
        pipeline = info != null && info.hasInputSize() ? info.pipeline()
                : ImagePipeline.forInput(interpreter.input(0), Resize.BILINEAR, Preprocess.TF);
        pixels = interpreter.input(0).dataType() == DataType.UINT8;
    }

    /** The index of the highest score for {@code image}. */
    int top1(Path image) throws ImageDecodeException {
        RgbImage rgb = decoder.decode(image);
        if (pixels) interpreter.setInput(0, pipeline.toUint8(rgb));
        else interpreter.setInput(0, pipeline.toFloats(rgb));
        interpreter.invoke();
        float[] scores = interpreter.outputFloats(0);
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    @Override
    public void close() {
        interpreter.close();
        model.close();
    }
}
