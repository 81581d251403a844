package dev.mlpack.optimizer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;

/** A written .tflite read back with TFLite's own schema classes: what a runtime sees in the file. */
public final class WrittenModel {
    private final Model model;
    private final SubGraph main;

    private WrittenModel(ByteBuffer bytes) {
        this.model = Model.getRootAsModel(bytes.order(ByteOrder.LITTLE_ENDIAN));
        this.main = model.subgraphs(0);
    }

    public static WrittenModel read(Path tflite) {
        try {
            return new WrittenModel(ByteBuffer.wrap(Files.readAllBytes(tflite)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The main subgraph's operators, in execution order. */
    public List<Operator> operators() {
        List<Operator> ops = new ArrayList<>();
        for (int i = 0; i < main.operatorsLength(); i++) ops.add(main.operators(i));
        return ops;
    }

    /** The operators running the builtin {@code code} (a {@link BuiltinOperator} constant). */
    public List<Operator> operators(int code) { return operators().stream().filter(op -> builtinCode(op) == code).toList(); }

    public int builtinCode(Operator op) { return model.operatorCodes((int) op.opcodeIndex()).builtinCode(); }

    /** The op's name as TFLite spells it: CONV_2D, FULLY_CONNECTED... */
    public String name(Operator op) { return BuiltinOperator.name(builtinCode(op)); }

    /** The version its opcode declares, which a runtime checks against the kernels it registers. */
    public int version(Operator op) { return model.operatorCodes((int) op.opcodeIndex()).version(); }

    /** The tensor an operator reads at {@code input}. */
    public Tensor input(Operator op, int input) { return main.tensors(op.inputs(input)); }

    public Tensor output(Operator op, int output) { return main.tensors(op.outputs(output)); }

    /** The operator that writes {@code tensor}, or null for a constant or a graph input. */
    public Operator producer(Tensor tensor) {
        for (Operator op : operators()) {
            for (int i = 0; i < op.outputsLength(); i++) if (main.tensors(op.outputs(i)).name().equals(tensor.name())) return op;
        }
        return null;
    }

    /** The constant data stored for a tensor, little-endian; empty for a computed tensor. */
    public ByteBuffer data(Tensor tensor) {
        ByteBuffer data = model.buffers((int) tensor.buffer()).dataAsByteBuffer();
        return data == null ? ByteBuffer.allocate(0) : data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int[] shape(Tensor tensor) {
        int[] dims = new int[tensor.shapeLength()];
        for (int i = 0; i < dims.length; i++) dims[i] = tensor.shape(i);
        return dims;
    }
}
