package dev.mlpack.runtime.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * libjpeg-turbo's decompression API (the {@code jpeg_*} functions Leptonica's library exports), bound through FFM, with
 * the layout of the two structures it shares with its caller. The layout is libjpeg's ABI for {@code
 * JPEG_LIB_VERSION} 62 on 64-bit Linux, the one bytedeco builds; {@code jpeg_CreateDecompress} checks the version and
 * the structure size, and the tests decode with it.
 *
 * <p>libjpeg's error manager is set up so that warnings are counted silently ({@code output_message} does nothing),
 * and so that a fatal error, which {@link PlainJpeg} exists to make unreachable, stops the process with a message
 * naming libjpeg's error code: libjpeg cannot continue after one, and returning from its error exit corrupts memory.
 */
final class LibJpeg {
    static final int LIB_VERSION = 62;
    static final long DECOMPRESS_STRUCT_SIZE = 632;
    static final long ERROR_MANAGER_SIZE = 168;

    // struct jpeg_decompress_struct
    static final long ERR = 0;
    static final long SCALE_NUM = 68;
    static final long SCALE_DENOM = 72;
    static final long OUTPUT_WIDTH = 136;
    static final long OUTPUT_HEIGHT = 140;
    static final long OUTPUT_COMPONENTS = 148;
    // struct jpeg_error_mgr
    static final long ERROR_EXIT = 0;
    static final long OUTPUT_MESSAGE = 16;
    static final long MSG_CODE = 40;
    static final long NUM_WARNINGS = 128;

    final MethodHandle stdError;
    final MethodHandle createDecompress;
    final MethodHandle memSrc;
    final MethodHandle readHeader;
    final MethodHandle startDecompress;
    final MethodHandle readScanlines;
    final MethodHandle destroyDecompress;
    /** Native entry points for {@code error_exit} and {@code output_message}, alive as long as the process. */
    final MemorySegment fatalErrorExit;
    final MemorySegment silentOutput;

    LibJpeg(SymbolLookup lib, Linker linker) throws ReflectiveOperationException {
        stdError = linker.downcallHandle(find(lib, "jpeg_std_error"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        createDecompress = linker.downcallHandle(find(lib, "jpeg_CreateDecompress"), FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG));
        memSrc = linker.downcallHandle(find(lib, "jpeg_mem_src"), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
        readHeader = linker.downcallHandle(find(lib, "jpeg_read_header"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        startDecompress = linker.downcallHandle(find(lib, "jpeg_start_decompress"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        readScanlines = linker.downcallHandle(find(lib, "jpeg_read_scanlines"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        destroyDecompress = linker.downcallHandle(find(lib, "jpeg_destroy_decompress"), FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodType takesStruct = MethodType.methodType(void.class, MemorySegment.class);
        fatalErrorExit = linker.upcallStub(lookup.findStatic(LibJpeg.class, "fatalError", takesStruct), FunctionDescriptor.ofVoid(ADDRESS), Arena.global());
        silentOutput = linker.upcallStub(lookup.findStatic(LibJpeg.class, "ignoreMessage", takesStruct), FunctionDescriptor.ofVoid(ADDRESS), Arena.global());
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException(TurboJpeg.FILE_NAME + " has no " + name));
    }

    /** libjpeg's {@code output_message}: warnings are counted in the error manager, and the caller reads the count. */
    private static void ignoreMessage(MemorySegment cinfo) { }

    /** libjpeg's {@code error_exit}, reached only if {@link PlainJpeg} let through a file libjpeg refuses. */
    private static void fatalError(MemorySegment cinfo) {
        int code = -1;
        try {
            MemorySegment err = cinfo.reinterpret(DECOMPRESS_STRUCT_SIZE).get(ADDRESS, ERR).reinterpret(ERROR_MANAGER_SIZE);
            code = err.get(JAVA_INT, MSG_CODE);
        } catch (RuntimeException ignored) {
            // the message below is all there is to say
        }
        System.err.println("mlpack: libjpeg-turbo stopped with error code " + code + " on a JPEG that mlpack's checks let through;"
                + " its decoder cannot go on after that, so the process stops. Please report it with the image.");
        System.err.flush();
        Runtime.getRuntime().halt(70);
    }
}
