package dev.mlpack.optimizer.testing;

import java.nio.file.Path;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** SavedModels built in-process with TF Java, for tests that need a specific op without Python. */
public final class TinySavedModels {
    private TinySavedModels() {}

    /**
     * Exports {@code body(tf, image)} as the serving signature of a model taking float32 [N, 4, 4, 3]. Variables the
     * body makes must be TF 1 ones ({@code tf.variable}): TF Java's exporter saves only those, with their initial values.
     */
    public static Path export(Path dir, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> body) {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 3)));
            Signature sig = Signature.builder().key("serving_default").input("image", x).output("output_0", body.apply(tf, x)).build();
            s.initialize();
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(sig, s)).export();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }
}
