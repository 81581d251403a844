package dev.mlpack.optimizer.tf;

import com.google.protobuf.ByteString;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/** Conversions between TF's protobuf tensors and {@link Constant}. */
public final class TensorProtos {
    private TensorProtos() {}

    public static DType dtype(DataType t) {
        return switch (t) {
            case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16 -> DType.FLOAT32;
            case DT_INT32, DT_INT16, DT_UINT16 -> DType.INT32;
            case DT_INT64, DT_UINT32, DT_UINT64 -> DType.INT64;
            case DT_INT8 -> DType.INT8;
            case DT_UINT8 -> DType.UINT8;
            case DT_BOOL -> DType.BOOL;
            case DT_STRING -> DType.STRING;
            case DT_RESOURCE -> DType.RESOURCE;
            default -> throw new IllegalArgumentException("unsupported dtype " + t);
        };
    }

    /** Dimensions of a shape proto; unknown dimensions (-1) become 1, since the batch is fixed to one. 0 stays: an empty tensor. */
    static int[] dims(TensorShapeProto shape) {
        int[] d = new int[shape.getDimCount()];
        for (int i = 0; i < d.length; i++) d[i] = (int) (shape.getDim(i).getSize() < 0 ? 1 : shape.getDim(i).getSize());
        return d;
    }

    /**
     * The elements of a string tensor: its string_val, or, where the writer packed them into tensor_content as
     * TensorFlow's own encoder does for several strings (TF Java's saver), the varint lengths of all the strings
     * followed by their bytes.
     */
    static List<String> strings(TensorProto t) {
        if (t.getStringValCount() > 0 || t.getTensorContent().isEmpty()) {
            return t.getStringValList().stream().map(ByteString::toStringUtf8).toList();
        }
        int n = 1;
        for (int d : dims(t.getTensorShape())) n *= d;
        ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer();
        long[] lengths = new long[n];
        for (int i = 0; i < n; i++) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = content.get();
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) break;
            }
            lengths[i] = v;
        }
        List<String> out = new ArrayList<>(n);
        for (long length : lengths) {
            byte[] bytes = new byte[Math.toIntExact(length)];
            content.get(bytes);
            out.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    public static Constant constant(TensorProto t) {
        Shape shape = Shape.of(dims(t.getTensorShape()));
        int n = (int) shape.elementCount();
        ByteString content = t.getTensorContent();
        ByteBuffer raw = content.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        DataType type = t.getDtype();
        switch (type) {
            case DT_FLOAT -> {
                float[] v = new float[n];
                if (!content.isEmpty()) raw.asFloatBuffer().get(v);
                else fill(v, t.getFloatValCount(), t::getFloatVal);
                return Constant.ofFloats(shape, v);
            }
            case DT_DOUBLE -> {
                float[] v = new float[n];
                if (!content.isEmpty()) for (int i = 0; i < n; i++) v[i] = (float) raw.getDouble(8 * i);
                else fill(v, t.getDoubleValCount(), i -> (float) t.getDoubleVal(i));
                return Constant.ofFloats(shape, v);
            }
            case DT_HALF -> {
                float[] v = new float[n];
                if (!content.isEmpty()) for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(raw.getShort(2 * i));
                else fill(v, t.getHalfValCount(), i -> Float.float16ToFloat((short) t.getHalfVal(i)));
                return Constant.ofFloats(shape, v);
            }
            case DT_INT32, DT_INT16, DT_UINT16, DT_INT8, DT_UINT8 -> {
                long[] v = new long[n];
                if (!content.isEmpty()) {
                    for (int i = 0; i < n; i++) {
                        v[i] = switch (type) {
                            case DT_INT32 -> raw.getInt(4 * i);
                            case DT_INT16 -> raw.getShort(2 * i);
                            case DT_UINT16 -> raw.getShort(2 * i) & 0xffff;
                            case DT_INT8 -> raw.get(i);
                            default -> raw.get(i) & 0xff;
                        };
                    }
                } else {
                    fillLong(v, t.getIntValCount(), t::getIntVal);
                }
                return Constant.ofLongs(dtype(type), shape, v);
            }
            case DT_INT64 -> {
                long[] v = new long[n];
                if (!content.isEmpty()) raw.asLongBuffer().get(v);
                else fillLong(v, t.getInt64ValCount(), t::getInt64Val);
                return Constant.ofLongs(DType.INT64, shape, v);
            }
            case DT_BOOL -> {
                long[] v = new long[n];
                if (!content.isEmpty()) for (int i = 0; i < n; i++) v[i] = raw.get(i);
                else fillLong(v, t.getBoolValCount(), i -> t.getBoolVal(i) ? 1 : 0);
                return Constant.ofLongs(DType.BOOL, shape, v);
            }
            default -> throw new IllegalArgumentException("constant of dtype " + type + " is not supported");
        }
    }

    private interface FloatAt { float at(int i); }

    private interface LongAt { long at(int i); }

    /** Protos may store one value for a splat, or fewer values than elements (the last one repeats). */
    private static void fill(float[] v, int count, FloatAt at) {
        for (int i = 0; i < v.length; i++) v[i] = count == 0 ? 0 : at.at(Math.min(i, count - 1));
    }

    private static void fillLong(long[] v, int count, LongAt at) {
        for (int i = 0; i < v.length; i++) v[i] = count == 0 ? 0 : at.at(Math.min(i, count - 1));
    }
}
