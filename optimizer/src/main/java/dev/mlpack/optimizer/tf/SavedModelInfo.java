package dev.mlpack.optimizer.tf;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorInfo;

/** What {@code mlpack inspect} shows of a SavedModel without importing it: signatures, raw TF ops, size. */
public record SavedModelInfo(Map<String, Signature> signatures, Map<String, Integer> tfOps, long bytes) {

    public record Tensor(String name, String dtype, String shape) {}

    public record Signature(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {}

    static SavedModelInfo of(Path dir, MetaGraphDef mg) {
        Map<String, Signature> sigs = new TreeMap<>();
        mg.getSignatureDefMap().forEach((name, def) -> {
            if (name.startsWith("__")) return;
            sigs.put(name, new Signature(tensors(def.getInputsMap()), tensors(def.getOutputsMap())));
        });
        Map<String, Integer> ops = new TreeMap<>();
        count(mg.getGraphDef().getNodeList(), ops);
        for (FunctionDef f : mg.getGraphDef().getLibrary().getFunctionList()) {
            // The checkpoint save/restore functions are not part of inference.
            if (f.getSignature().getName().contains("_traced_")) continue;
            count(f.getNodeDefList(), ops);
        }
        return new SavedModelInfo(sigs, ops, folderSize(dir));
    }

    private static Map<String, Tensor> tensors(Map<String, TensorInfo> infos) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        new TreeMap<>(infos).forEach((k, info) -> {
            StringBuilder shape = new StringBuilder("[");
            for (int i = 0; i < info.getTensorShape().getDimCount(); i++) {
                if (i > 0) shape.append(", ");
                long d = info.getTensorShape().getDim(i).getSize();
                shape.append(d < 0 ? "?" : Long.toString(d));
            }
            out.put(k, new Tensor(info.getName(), info.getDtype().name().replace("DT_", "").toLowerCase(), shape + "]"));
        });
        return out;
    }

    private static void count(List<NodeDef> nodes, Map<String, Integer> ops) {
        for (NodeDef n : nodes) ops.merge(n.getOp(), 1, Integer::sum);
    }

    private static long folderSize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
