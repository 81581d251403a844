package dev.mlpack.runtime.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * JPEG decoding with libjpeg-turbo (SIMD), the decoder PIL and TensorFlow use, as bytedeco's Leptonica build carries
 * it ({@code libleptonica.so.6}, libjpeg-turbo 3.0 linked in), called through the FFM API: about twice as fast as the
 * JDK's reader on ImageNet-size photos, with the same bytes (accurate integer IDCT, fancy upsampling), and able to
 * scale in the DCT domain by 1/2, 1/4 or 1/8 while decoding, which turns a 12-megapixel photo into a 0.2-megapixel
 * image for a fraction of the time and memory.
 *
 * <p>Two ways in. A {@link PlainJpeg} (what cameras and web encoders mostly write) goes straight to libjpeg's own API
 * ({@link #open}): rows are decoded as the resize asks for them, into a two-row buffer, and decoding stops after the
 * last row the resize needs; this costs about 40% less than Leptonica's reader. Any other JPEG goes through
 * Leptonica's {@code pixReadMemJpeg} ({@link #decode}), which runs libjpeg under its own {@code setjmp} error
 * handler, so that a file libjpeg gives up on is a null result rather than a process exit (libjpeg's default). Both
 * read from memory; nothing is written to disk. Only the library file is used; its JNI wrapper is not loaded.
 *
 * <p>Thread-safe: every call has its own decoder state and native memory.
 */
final class TurboJpeg {
    /** The library inside {@code org.bytedeco:leptonica:linux-x86_64}. */
    static final String RESOURCE = "org/bytedeco/leptonica/linux-x86_64/libleptonica.so.6";
    static final String FILE_NAME = "libleptonica.so.6";
    /** JavaCPP's search path, which {@code --natives DIR} points at the extracted libraries. */
    private static final String PRELOAD_PATH = "org.bytedeco.javacpp.platform.preloadpath";
    private static final int L_SEVERITY_NONE = 6;

    private static final class Holder {
        static final Optional<TurboJpeg> INSTANCE = load();
    }

    private final MethodHandle readMemJpeg;
    private final MethodHandle getWidth;
    private final MethodHandle getHeight;
    private final MethodHandle getDepth;
    private final MethodHandle getWpl;
    private final MethodHandle getData;
    private final MethodHandle destroy;
    private final LibJpeg libjpeg;

    private TurboJpeg(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        readMemJpeg = linker.downcallHandle(find(lib, "pixReadMemJpeg"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        getWidth = linker.downcallHandle(find(lib, "pixGetWidth"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getHeight = linker.downcallHandle(find(lib, "pixGetHeight"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getDepth = linker.downcallHandle(find(lib, "pixGetDepth"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getWpl = linker.downcallHandle(find(lib, "pixGetWpl"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getData = linker.downcallHandle(find(lib, "pixGetData"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        destroy = linker.downcallHandle(find(lib, "pixDestroy"), FunctionDescriptor.ofVoid(ADDRESS));
        // Leptonica prints every refused file to stderr; the caller reports problems itself.
        MethodHandle severity = linker.downcallHandle(find(lib, "setMsgSeverity"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        int ignored = (int) severity.invokeExact(L_SEVERITY_NONE);
        libjpeg = new LibJpeg(lib, linker);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException(FILE_NAME + " has no " + name));
    }

    /**
     * The decoder, or empty where the library cannot be loaded (another platform, a read-only filesystem without
     * {@code --natives}, native access disabled): callers then use ImageIO.
     */
    static Optional<TurboJpeg> get() {
        return Holder.INSTANCE;
    }

    /** Where the library would be loaded from (nothing is loaded), or null when it is not found. */
    static Path find() {
        return locate();
    }

    private static Optional<TurboJpeg> load() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) return Optional.empty();
        Path file = locate();
        if (file == null) return Optional.empty();
        try {
            return Optional.of(new TurboJpeg(SymbolLookup.libraryLookup(file, Arena.global())));
        } catch (Throwable e) { // IllegalCallerException (native access off), UnsatisfiedLinkError, missing symbols
            return Optional.empty();
        }
    }

    /** The library in one of JavaCPP's preload folders ({@code --natives}), else JavaCPP's cache, extracted if needed. */
    private static Path locate() {
        String preload = System.getProperty(PRELOAD_PATH, "");
        for (String dir : preload.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path candidate = Path.of(dir, FILE_NAME);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        if (TurboJpeg.class.getClassLoader().getResource(RESOURCE) == null) return null;
        try {
            return org.bytedeco.javacpp.Loader.cacheResource("/" + RESOURCE).toPath();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Decodes the {@code length} bytes at {@code offset}, shrunk by {@code reduction} (1, 2, 4 or 8) in the DCT domain;
     * returns null when libjpeg refuses the file or warns about its data (truncated, corrupt, or merely odd), so that
     * ImageIO decides and explains, as {@link ImageDecoder} does.
     */
    DecodedRows decode(byte[] data, int offset, int length, int reduction) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment input = arena.allocate(length);
            MemorySegment.copy(data, offset, input, JAVA_BYTE, 0, length);
            MemorySegment warnings = arena.allocate(JAVA_INT);
            MemorySegment pix = (MemorySegment) readMemJpeg.invokeExact(input, (long) length, 0, reduction, warnings, 0);
            if (pix.equals(MemorySegment.NULL)) return null;
            MemorySegment holder = arena.allocate(ADDRESS);
            holder.set(ADDRESS, 0, pix);
            try {
                if (warnings.get(JAVA_INT, 0) != 0) return null;
                return rows(pix);
            } finally {
                destroy.invokeExact(holder);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rows of {@code jpeg} shrunk by {@code reduction} (1, 2, 4 or 8) in the DCT domain, decoded as they are asked
     * for: the same pixels {@link #decode} gives. Close it to free libjpeg's state; then ask
     * {@link JpegRows#warned()} whether the rows read can be trusted.
     */
    JpegRows open(PlainJpeg jpeg, int reduction) {
        return new JpegRows(libjpeg, jpeg, reduction);
    }

    /** Leptonica's 32-bit little-endian words hold bytes A, B, G, R: one bulk copy; 8-bit gray is packed 4 to a word, high first. */
    private DecodedRows rows(MemorySegment pix) throws Throwable {
        int w = (int) getWidth.invokeExact(pix);
        int h = (int) getHeight.invokeExact(pix);
        int depth = (int) getDepth.invokeExact(pix);
        int wpl = (int) getWpl.invokeExact(pix);
        if (w <= 0 || h <= 0 || (depth != 32 && depth != 8)) return null;
        int rowBytes = 4 * wpl;
        MemorySegment pixels = ((MemorySegment) getData.invokeExact(pix)).reinterpret((long) rowBytes * h);
        if (depth == 32) {
            byte[] data = new byte[rowBytes * h];
            MemorySegment.copy(pixels, JAVA_BYTE, 0, data, 0, data.length);
            return new DecodedRows(w, h, data, rowBytes, 4, ABGR);
        }
        byte[] gray = new byte[w * h];
        byte[] row = new byte[rowBytes];
        for (int y = 0; y < h; y++) {
            MemorySegment.copy(pixels, JAVA_BYTE, (long) y * rowBytes, row, 0, rowBytes);
            for (int x = 0; x < w; x++) gray[y * w + x] = row[x ^ 3];
        }
        return new DecodedRows(w, h, gray, w, 1, RowSource.GRAY_AS_RGB);
    }

    private static final int[] ABGR = {3, 2, 1};
}
