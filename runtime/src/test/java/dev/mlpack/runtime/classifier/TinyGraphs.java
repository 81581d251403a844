package dev.mlpack.runtime.classifier;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.MetadataT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SoftmaxOptionsT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Hand-made {@code .tflite} flatbuffers without weights, runnable by TFLite: one float input and outputs that are
 * unary ops of it (SOFTMAX, LOGISTIC, ...), optionally with a signature naming the outputs and mlpack metadata. Enough
 * to test how outputs are read and scored without Python or the optimizer.
 */
final class TinyGraphs {
    private final int[] inputShape;
    private final List<TensorT> tensors = new ArrayList<>();
    private final List<OperatorT> operators = new ArrayList<>();
    private final List<OperatorCodeT> codes = new ArrayList<>();
    private final List<Integer> codeOf = new ArrayList<>();
    private final List<int[]> outputs = new ArrayList<>(); // {tensor}
    private final List<String> keys = new ArrayList<>();
    private byte[] metadata;

    private TinyGraphs(int[] inputShape, byte inputType) {
        this.inputShape = inputShape.clone();
        tensors.add(tensor("image", inputShape, inputType));
    }

    /** A graph with one float32 input of {@code shape}. */
    static TinyGraphs input(int... shape) {
        return new TinyGraphs(shape, TensorType.FLOAT32);
    }

    /** A graph with one uint8 input of {@code shape} (described only: no op here reads uint8). */
    static TinyGraphs uint8Input(int... shape) {
        return new TinyGraphs(shape, TensorType.UINT8);
    }

    /**
     * Adds an output {@code key}: the input through {@code ops} in turn (builtin codes, at least one), each of the
     * input's shape. The output tensor is named {@code StatefulPartitionedCall:N}, as the official converter names them.
     */
    TinyGraphs output(String key, int... ops) {
        int tensor = 0;
        for (int i = 0; i < ops.length; i++) {
            tensors.add(tensor(key + "/" + i, inputShape, TensorType.FLOAT32));
            int out = tensors.size() - 1;
            OperatorT op = new OperatorT();
            op.setOpcodeIndex(code(ops[i]));
            op.setInputs(new int[] {tensor});
            op.setOutputs(new int[] {out});
            if (ops[i] == BuiltinOperator.SOFTMAX) {
                SoftmaxOptionsT softmax = new SoftmaxOptionsT();
                softmax.setBeta(1f);
                BuiltinOptionsUnion u = new BuiltinOptionsUnion();
                u.setType(BuiltinOptions.SoftmaxOptions);
                u.setValue(softmax);
                op.setBuiltinOptions(u);
            }
            operators.add(op);
            tensor = out;
        }
        // Named as the official converter names output tensors; the signature (when written) maps the key to it.
        tensors.get(tensor).setName("StatefulPartitionedCall:" + outputs.size());
        outputs.add(new int[] {tensor});
        keys.add(key);
        return this;
    }

    /** Adds mlpack's metadata JSON. */
    TinyGraphs metadata(byte[] json) {
        this.metadata = json.clone();
        return this;
    }

    /** The flatbuffer; with {@code signature}, a serving_default signature whose output keys name the outputs. */
    byte[] bytes(boolean signature) {
        ModelT m = new ModelT();
        m.setVersion(3);
        m.setOperatorCodes(codes.toArray(OperatorCodeT[]::new));
        SubGraphT g = new SubGraphT();
        g.setTensors(tensors.toArray(TensorT[]::new));
        g.setInputs(new int[] {0});
        g.setOutputs(outputs.stream().mapToInt(o -> o[0]).toArray());
        g.setOperators(operators.toArray(OperatorT[]::new));
        g.setName("main");
        m.setSubgraphs(new SubGraphT[] {g});
        List<BufferT> buffers = new ArrayList<>(List.of(new BufferT()));
        if (metadata != null) {
            BufferT b = new BufferT();
            int[] data = new int[metadata.length];
            for (int i = 0; i < data.length; i++) data[i] = metadata[i] & 0xFF;
            b.setData(data);
            buffers.add(b);
            MetadataT entry = new MetadataT();
            entry.setName("mlpack");
            entry.setBuffer(1);
            m.setMetadata(new MetadataT[] {entry});
        }
        m.setBuffers(buffers.toArray(BufferT[]::new));
        if (signature) {
            SignatureDefT sig = new SignatureDefT();
            sig.setSignatureKey("serving_default");
            sig.setSubgraphIndex(0);
            TensorMapT in = new TensorMapT();
            in.setName("image");
            in.setTensorIndex(0);
            sig.setInputs(new TensorMapT[] {in});
            List<TensorMapT> outs = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                TensorMapT o = new TensorMapT();
                o.setName(keys.get(i));
                o.setTensorIndex(outputs.get(i)[0]);
                outs.add(o);
            }
            sig.setOutputs(outs.toArray(TensorMapT[]::new));
            m.setSignatureDefs(new SignatureDefT[] {sig});
        }
        FlatBufferBuilder fb = new FlatBufferBuilder(1024);
        Model.finishModelBuffer(fb, Model.pack(fb, m));
        return fb.sizedByteArray();
    }

    private int code(int builtin) {
        int i = codeOf.indexOf(builtin);
        if (i >= 0) return i;
        OperatorCodeT c = new OperatorCodeT();
        c.setBuiltinCode(builtin);
        c.setDeprecatedBuiltinCode((byte) Math.min(builtin, 127));
        c.setVersion(1);
        codes.add(c);
        codeOf.add(builtin);
        return codes.size() - 1;
    }

    private static TensorT tensor(String name, int[] shape, byte type) {
        TensorT t = new TensorT();
        t.setName(name);
        t.setShape(shape.clone());
        t.setType(type);
        t.setBuffer(0);
        return t;
    }
}
