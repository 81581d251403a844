package dev.mlpack.runtime.tflite;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.global.tensorflowlite;

/**
 * A loaded {@code .tflite} flatbuffer, shared by any number of {@link TfliteInterpreter}s.
 *
 * <p>Thread-safe: load a model once and call {@link #newInterpreter} once per thread (an
 * interpreter itself is single-threaded). The flatbuffer is copied into native memory that this
 * object owns, because TFLite's {@code FlatBufferModel} does not copy its buffer and constant
 * tensors (weights) are read straight from it for as long as any interpreter lives. {@link
 * #close()} therefore only frees that memory once every interpreter made from the model has been
 * closed too. The memory comes from a {@link Arena#ofShared() shared arena} rather than from
 * JavaCPP, whose allocator counts native bytes against the Java heap size and may throw for a
 * large model in a small-heap server.
 */
public final class TfliteModel implements AutoCloseable {

    /**
     * The path of bytedeco's {@code libjnitensorflowlite.so}, loaded once, up front, so that a broken native setup
     * fails here with a clear error rather than deep inside the first interpreter. {@link XnnpackDelegate} finds
     * TFLite's C functions in it.
     */
    static final String LIBRARY = Loader.load(tensorflowlite.class);

    /** Alignment of the model buffer; flatbuffers need 8, 64 keeps weights cache-line aligned. */
    private static final long BUFFER_ALIGNMENT = 64;

    private final String source;
    private final long sizeBytes;
    private final Arena arena;
    private final FlatBufferModel flatBuffer;

    private int openInterpreters;
    private boolean closed;
    private boolean freed;

    /** Takes ownership of {@code arena}, which holds the flatbuffer {@code buffer}. */
    private TfliteModel(String source, Arena arena, MemorySegment buffer) {
        this.source = source;
        this.arena = arena;
        this.sizeBytes = buffer.byteSize();
        // The verifying variant rejects truncated or corrupt files instead of letting TFLite read
        // out of bounds; it is one pass over the buffer, once per load.
        BytePointer view = new BytePointer(NativeAddress.pointerAt(buffer.address()));
        FlatBufferModel fb = FlatBufferModel.VerifyAndBuildFromBuffer(view, sizeBytes);
        if (fb == null || fb.isNull() || !fb.initialized()) {
            arena.close();
            throw new TfliteException(source + ": not a valid TFLite flatbuffer");
        }
        this.flatBuffer = fb;
    }

    /** Loads a model from the bytes of a {@code .tflite} file; the array is copied. */
    public static TfliteModel fromBytes(byte[] flatbuffer) {
        return fromBytes(flatbuffer, "<" + flatbuffer.length + " bytes>");
    }

    /**
     * Loads a model from bytes, naming it {@code sourceName} in error messages.
     *
     * @throws TfliteException if the bytes are not a valid TFLite flatbuffer
     */
    public static TfliteModel fromBytes(byte[] flatbuffer, String sourceName) {
        if (flatbuffer.length == 0) {
            throw new TfliteException(sourceName + ": empty model");
        }
        Arena arena = Arena.ofShared();
        MemorySegment buffer = arena.allocate(flatbuffer.length, BUFFER_ALIGNMENT);
        MemorySegment.copy(flatbuffer, 0, buffer, JAVA_BYTE, 0, flatbuffer.length);
        return new TfliteModel(sourceName, arena, buffer);
    }

    /**
     * Loads a {@code .tflite} file straight into native memory (no intermediate Java array).
     *
     * @throws IOException if the file cannot be read
     * @throws TfliteException if it is not a valid TFLite flatbuffer
     */
    public static TfliteModel load(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new TfliteException(path + ": empty model");
            }
            if (size > Integer.MAX_VALUE) {
                throw new TfliteException(path + ": model larger than 2 GiB is not supported");
            }
            Arena arena = Arena.ofShared();
            MemorySegment buffer;
            try {
                buffer = arena.allocate(size, BUFFER_ALIGNMENT);
                ByteBuffer view = buffer.asByteBuffer();
                while (view.hasRemaining()) {
                    if (ch.read(view) < 0) {
                        throw new IOException(path + ": file shrank while reading");
                    }
                }
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
            return new TfliteModel(path.toString(), arena, buffer);
        }
    }

    /** Interpreter with {@link InterpreterOptions#defaults()}: one thread, XNNPACK with int8. */
    public TfliteInterpreter newInterpreter() {
        return newInterpreter(InterpreterOptions.defaults());
    }

    /**
     * Builds an interpreter, applies XNNPACK if asked, and allocates its tensors.
     *
     * @throws TfliteException if the model uses an op this TFLite build lacks, or allocation fails
     * @throws IllegalStateException if this model has been closed
     */
    public TfliteInterpreter newInterpreter(InterpreterOptions options) {
        acquire();
        try {
            return new TfliteInterpreter(this, flatBuffer, options);
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    /** Where the model came from (file path or a byte count), for messages. */
    public String source() {
        return source;
    }

    /** Size of the flatbuffer in bytes. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** The TFLite runtime version bytedeco ships, e.g. "2.19.0". */
    public static String runtimeVersion() {
        return tensorflowlite.TfLiteVersion().getString();
    }

    private synchronized void acquire() {
        if (closed) {
            throw new IllegalStateException(source + ": model is closed");
        }
        openInterpreters++;
    }

    /** Called by each interpreter once, after it has freed its native interpreter. */
    synchronized void release() {
        openInterpreters--;
        freeIfUnused();
    }

    /**
     * Marks the model closed. Its native memory is freed now if no interpreter is open, otherwise
     * when the last one is closed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        freeIfUnused();
    }

    private void freeIfUnused() {
        if (closed && openInterpreters == 0 && !freed) {
            freed = true;
            flatBuffer.close(); // deletes the FlatBufferModel before the buffer it points into
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "TfliteModel[" + source + ", " + sizeBytes + " bytes]";
    }
}
