package dev.mlpack.runtime.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link PlainJpeg} decoded by libjpeg row by row as {@link Resize} asks for rows ({@link RowSource}'s contract: in
 * non-decreasing order, two rows held), so that the image is never whole in memory and the rows below the last one
 * the resize needs are never decoded. RGB, or gray read as RGB.
 *
 * <p>Not thread-safe; one decode. Closing it frees libjpeg's state and the native copy of the file.
 */
final class JpegRows implements RowSource, AutoCloseable {
    private final LibJpeg lib;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment cinfo;
    private final MemorySegment err;
    private final MemorySegment rowPointer;
    private final MemorySegment scanline;
    private final int width;
    private final int height;
    private final int components;
    private final byte[][] ring;
    private final int[] held = {-1, -1};
    private int next;
    private boolean created;
    private boolean closed;

    JpegRows(LibJpeg lib, PlainJpeg jpeg, int reduction) {
        this.lib = lib;
        try {
            MemorySegment stream = arena.allocate(jpeg.streamLength());
            jpeg.write(stream);
            err = arena.allocate(LibJpeg.ERROR_MANAGER_SIZE, 8);
            cinfo = arena.allocate(LibJpeg.DECOMPRESS_STRUCT_SIZE, 8);
            MemorySegment ignored = (MemorySegment) lib.stdError.invokeExact(err);
            err.set(ADDRESS, LibJpeg.ERROR_EXIT, lib.fatalErrorExit);
            err.set(ADDRESS, LibJpeg.OUTPUT_MESSAGE, lib.silentOutput);
            cinfo.set(ADDRESS, LibJpeg.ERR, err);
            lib.createDecompress.invokeExact(cinfo, LibJpeg.LIB_VERSION, LibJpeg.DECOMPRESS_STRUCT_SIZE);
            created = true;
            lib.memSrc.invokeExact(cinfo, stream, stream.byteSize());
            // The memory source never suspends: a header (1, JPEG_HEADER_OK) and a started decompression (TRUE) or an error.
            if ((int) lib.readHeader.invokeExact(cinfo, 1) != 1) throw new IllegalStateException("libjpeg read no header from a plain JPEG");
            cinfo.set(JAVA_INT, LibJpeg.SCALE_NUM, 1);
            cinfo.set(JAVA_INT, LibJpeg.SCALE_DENOM, reduction);
            if ((int) lib.startDecompress.invokeExact(cinfo) == 0) throw new IllegalStateException("libjpeg did not start decompressing");
            width = cinfo.get(JAVA_INT, LibJpeg.OUTPUT_WIDTH);
            height = cinfo.get(JAVA_INT, LibJpeg.OUTPUT_HEIGHT);
            components = cinfo.get(JAVA_INT, LibJpeg.OUTPUT_COMPONENTS);
            if (components != 1 && components != 3) throw new IllegalStateException("libjpeg gave " + components + " components for a plain JPEG");
            scanline = arena.allocate((long) width * components);
            rowPointer = arena.allocate(ADDRESS);
            rowPointer.set(ADDRESS, 0, scanline);
            ring = new byte[][] {new byte[width * components], new byte[width * components]};
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        } catch (Throwable e) {
            close();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int width() { return width; }

    @Override
    public int height() { return height; }

    @Override
    public int pixelStride() { return components; }

    @Override
    public int[] channels() { return components == 3 ? RGB : GRAY_AS_RGB; }

    @Override
    public byte[] row(int y) throws ImageDecodeException {
        if (held[y & 1] == y) return ring[y & 1];
        if (y < next) throw new IllegalStateException("row " + y + " was asked for after row " + (next - 1));
        try {
            while (next <= y) {
                // libjpeg's memory source never suspends, so each call gives a row until the last.
                int rows = (int) lib.readScanlines.invokeExact(cinfo, rowPointer, 1);
                if (rows != 1) throw new IllegalStateException("libjpeg gave no row " + next + " of " + height);
                MemorySegment.copy(scanline, JAVA_BYTE, 0, ring[next & 1], 0, ring[next & 1].length);
                held[next & 1] = next;
                next++;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return ring[y & 1];
    }

    @Override
    public int offset(int y) { return 0; }

    /**
     * Whether libjpeg warned while reading the header or the rows decoded so far (corrupt or truncated data, a marker
     * inside the scan): those rows may be filled in, so another decoder should judge the file.
     */
    boolean warned() {
        return err.get(JAVA_LONG, LibJpeg.NUM_WARNINGS) != 0;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (created) {
                created = false;
                lib.destroyDecompress.invokeExact(cinfo);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            arena.close();
        }
    }
}
