package dev.mlpack.optimizer.tf;

import java.util.function.Supplier;

/** Entry point for other packages that call into TF's native runtime and want its log noise kept off stderr. */
public final class TensorFlowCalls {
    private TensorFlowCalls() {}

    public static <T> T quietly(Supplier<T> call) { return NativeStderr.silenced(call); }
}
