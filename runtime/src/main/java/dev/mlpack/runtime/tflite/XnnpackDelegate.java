package dev.mlpack.runtime.tflite;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.bytedeco.tensorflowlite.TfLiteDelegate;

/**
 * An XNNPACK delegate created through TFLite's C API with the options we choose.
 *
 * <p>Why not bytedeco's Java API: it does not map {@code xnnpack_delegate.h}, and the XNNPACK
 * delegate that TFLite applies by default is created without {@code
 * TFLITE_XNNPACK_DELEGATE_FLAG_QS8/QU8}, which leaves every int8 op on TFLite's slower built-in
 * kernels. The C functions are exported by bytedeco's {@code libjnitensorflowlite.so}, so we call
 * them with the foreign-function API on the already-loaded library.
 *
 * <p>The returned delegate must outlive the interpreter it is applied to; {@link
 * TfliteInterpreter} deletes it after deleting the interpreter.
 */
final class XnnpackDelegate implements AutoCloseable {

    /** {@code TFLITE_XNNPACK_DELEGATE_FLAG_QS8}: signed int8, including per-channel weights. */
    static final int FLAG_QS8 = 0x00000001;
    /** {@code TFLITE_XNNPACK_DELEGATE_FLAG_QU8}: unsigned (legacy uint8) quantized ops. */
    static final int FLAG_QU8 = 0x00000002;

    /**
     * {@code TfLiteXNNPackDelegateOptions} exactly as in TFLite 2.19 (the version bytedeco
     * 2.19.0-1.5.12 is built from), 32 bytes on LP64. Later TFLite releases insert {@code
     * runtime_flags} before {@code flags} and append fields, so this layout must be revisited when
     * the bytedeco version changes; {@link #create} checks it by reading the flags back.
     *
     * <pre>
     * typedef struct {
     *   int32_t num_threads;
     *   uint32_t flags;
     *   struct TfLiteXNNPackDelegateWeightsCache* weights_cache;
     *   bool handle_variable_ops;                 // deprecated
     *   const char* weight_cache_file_path;
     * } TfLiteXNNPackDelegateOptions;
     * </pre>
     */
    static final StructLayout OPTIONS_LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("num_threads"),
            JAVA_INT.withName("flags"),
            ADDRESS.withName("weights_cache"),
            JAVA_BYTE.withName("handle_variable_ops"),
            MemoryLayout.paddingLayout(7),
            ADDRESS.withName("weight_cache_file_path"));

    private static final VarHandle NUM_THREADS =
            OPTIONS_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("num_threads"));
    private static final VarHandle FLAGS =
            OPTIONS_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("flags"));

    /**
     * Resolved on first use so that merely loading this class needs no native access. Linking a downcall costs
     * 4-14 ms of CPU while a server boots, so the one that only closing needs is linked then ({@link Deleter}).
     */
    private static final class Api {
        // The path of bytedeco's JNI library, already loaded into the JVM. dlopen of the same path returns the same
        // handle, so these symbols are the very code (and globals) that bytedeco's Interpreter uses.
        static final SymbolLookup LIBRARY = SymbolLookup.libraryLookup(Path.of(TfliteModel.LIBRARY), Arena.global());
        static final MethodHandle OPTIONS_DEFAULT = link("TfLiteXNNPackDelegateOptionsDefault", FunctionDescriptor.of(OPTIONS_LAYOUT));
        static final MethodHandle CREATE = link("TfLiteXNNPackDelegateCreate", FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle GET_FLAGS = link("TfLiteXNNPackDelegateGetFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS));

        static MethodHandle link(String name, FunctionDescriptor signature) {
            MemorySegment symbol = LIBRARY.find(name).orElseThrow(() -> new TfliteException(
                    "symbol " + name + " not found in bytedeco's TFLite library"));
            return Linker.nativeLinker().downcallHandle(symbol, signature);
        }
    }

    private static final class Deleter {
        static final MethodHandle DELETE = Api.link("TfLiteXNNPackDelegateDelete", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private final MemorySegment handle;
    private final TfLiteDelegate delegate;
    private final int flags;
    private boolean closed;

    private XnnpackDelegate(MemorySegment handle, int flags) {
        this.handle = handle;
        this.flags = flags;
        this.delegate = new TfLiteDelegate(NativeAddress.pointerAt(handle.address()));
    }

    /**
     * Creates a delegate.
     *
     * @param numThreads size of XNNPACK's own thread pool; 1 runs on the caller's thread
     * @param quantized enable the QS8 and QU8 paths (int8 and uint8 ops); when false the flags are
     *     cleared, which is what bytedeco's default delegate does
     */
    static XnnpackDelegate create(int numThreads, boolean quantized) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment options = (MemorySegment) Api.OPTIONS_DEFAULT.invokeExact((SegmentAllocator) arena);
            int flags = (int) FLAGS.get(options, 0L);
            flags = quantized ? flags | FLAG_QS8 | FLAG_QU8 : flags & ~(FLAG_QS8 | FLAG_QU8);
            FLAGS.set(options, 0L, flags);
            NUM_THREADS.set(options, 0L, numThreads);
            // TfLiteXNNPackDelegateCreate copies the options, so the arena may go afterwards.
            MemorySegment handle = (MemorySegment) Api.CREATE.invokeExact(options);
            if (handle.equals(MemorySegment.NULL)) {
                throw new TfliteException("TfLiteXNNPackDelegateCreate returned null");
            }
            int applied = (int) Api.GET_FLAGS.invokeExact(handle);
            if (applied != flags) {
                Deleter.DELETE.invokeExact(handle);
                throw new TfliteException("XNNPACK options layout mismatch: set flags 0x"
                        + Integer.toHexString(flags) + " but the delegate reports 0x" + Integer.toHexString(applied));
            }
            return new XnnpackDelegate(handle, flags);
        } catch (TfliteException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new TfliteException("cannot create the XNNPACK delegate", t);
        }
    }

    /** The delegate as bytedeco's type, for {@code Interpreter.ModifyGraphWithDelegate}. */
    TfLiteDelegate delegate() {
        return delegate;
    }

    /** The flags the delegate was created with. */
    int flags() {
        return flags;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Deleter.DELETE.invokeExact(handle);
        } catch (Throwable t) {
            throw new TfliteException("TfLiteXNNPackDelegateDelete failed", t);
        }
    }
}
