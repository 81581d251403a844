package dev.mlpack.optimizer.tf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Supplier;

/**
 * TensorFlow's native runtime writes log lines (absl's "All log messages before absl::InitializeLog()", MLIR pass
 * notices) straight to file descriptor 2, past TF_CPP_MIN_LOG_LEVEL. They would break mlpack's one-line error
 * contract, so TF calls run with fd 2 pointed at /dev/null. {@code MLPACK_DEBUG=1} keeps them.
 */
final class NativeStderr {
    private static final boolean KEEP = System.getenv("MLPACK_DEBUG") != null;
    private static final MethodHandle DUP, DUP2, OPEN, CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        DUP = linker.downcallHandle(libc.find("dup").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        DUP2 = linker.downcallHandle(libc.find("dup2").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        OPEN = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private NativeStderr() {}

    static synchronized <T> T silenced(Supplier<T> call) {
        if (KEEP) return call.get();
        int saved = -1, devNull = -1;
        try (Arena arena = Arena.ofConfined()) {
            System.err.flush();
            saved = (int) DUP.invokeExact(2);
            devNull = (int) OPEN.invokeExact(arena.allocateFrom("/dev/null"), 1 /* O_WRONLY */);
            if (saved >= 0 && devNull >= 0) {
                int ignored = (int) DUP2.invokeExact(devNull, 2);
            }
        } catch (Throwable e) {
            return call.get(); // cannot redirect: run with the noise rather than fail
        }
        try {
            return call.get();
        } finally {
            try {
                if (saved >= 0) {
                    int ignored = (int) DUP2.invokeExact(saved, 2);
                    ignored = (int) CLOSE.invokeExact(saved);
                }
                if (devNull >= 0) {
                    int ignored = (int) CLOSE.invokeExact(devNull);
                }
            } catch (Throwable e) {
                throw new IllegalStateException("cannot restore stderr", e);
            }
        }
    }
}
