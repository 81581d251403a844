package dev.mlpack.packager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * What a {@code .tflite} file weighs and where: its size, the bytes of its constant tensors (all of them, and the
 * float32 ones), and the bytes of its non-constant tensors. Read from the flatbuffer alone, without an interpreter,
 * so that even a model too large for the machine is measured.
 *
 * @param fileBytes the file's size
 * @param weightBytes bytes of every constant tensor's buffer
 * @param float32WeightBytes the part of {@code weightBytes} held in float32 tensors
 * @param activationBytes the sum of every non-constant tensor's size (dynamic dimensions counted as 1)
 */
public record ModelFootprint(long fileBytes, long weightBytes, long float32WeightBytes, long activationBytes) {

    /** Reads {@code tflite}; a file that is not a TFLite model is bad input. */
    public static ModelFootprint of(Path tflite) {
        try (FileChannel ch = FileChannel.open(tflite, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw PackageException.badInput(tflite + ": models over 2 GiB are not supported");
            ByteBuffer bb = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (size < 8 || !Model.ModelBufferHasIdentifier(bb)) {
                throw PackageException.badInput(tflite + " is not a TFLite model (no TFL3 identifier): pass the .tflite that mlpack optimize wrote");
            }
            return of(Model.getRootAsModel(bb), size);
        } catch (IOException e) {
            if (!Files.exists(tflite)) throw PackageException.badInput("model " + tflite + " does not exist");
            throw PackageException.failed("cannot read " + tflite + ": " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            throw PackageException.badInput(tflite + " is not a valid TFLite flatbuffer: " + e.getMessage());
        }
    }

    static ModelFootprint of(Model model, long fileBytes) {
        long weights = 0;
        long float32 = 0;
        long activations = 0;
        Set<Long> counted = new HashSet<>();
        Tensor t = new Tensor();
        Buffer b = new Buffer();
        for (int g = 0; g < model.subgraphsLength(); g++) {
            SubGraph sg = model.subgraphs(g);
            for (int i = 0; i < sg.tensorsLength(); i++) {
                sg.tensors(t, i);
                long index = t.buffer();
                long constant = 0;
                if (index > 0 && index < model.buffersLength()) {
                    model.buffers(b, (int) index);
                    constant = b.dataLength();
                }
                if (constant > 0) {
                    if (counted.add(index)) {
                        weights += constant;
                        if (t.type() == TensorType.FLOAT32) float32 += constant;
                    }
                } else {
                    long elements = 1;
                    for (int d = 0; d < t.shapeLength(); d++) elements *= Math.max(1, t.shape(d));
                    activations += elements * elementBytes(t.type());
                }
            }
        }
        return new ModelFootprint(fileBytes, weights, float32, activations);
    }

    /** Bytes per element of a schema {@code TensorType} (not the C API's TfLiteType codes). */
    static int elementBytes(byte type) {
        return switch (type) {
            case TensorType.FLOAT32, TensorType.INT32, TensorType.UINT32 -> 4;
            case TensorType.FLOAT16, TensorType.INT16, TensorType.UINT16 -> 2;
            case TensorType.INT64, TensorType.FLOAT64, TensorType.UINT64, TensorType.COMPLEX64 -> 8;
            default -> 1;
        };
    }

    /** Whether most of the weights are float32 (a model {@code --quantize int8} would shrink about 4x). */
    public boolean isMostlyFloat() { return float32WeightBytes * 2 > weightBytes; }

    /** The file's size once its float32 weights are int8 (a quarter of their bytes); the same file if it has none. */
    public ModelFootprint asInt8() {
        long saved = float32WeightBytes * 3 / 4;
        return new ModelFootprint(fileBytes - saved, weightBytes - saved, 0, activationBytes / 4);
    }
}
