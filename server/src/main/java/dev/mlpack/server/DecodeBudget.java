package dev.mlpack.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Heap for decoding images, shared by all workers, so that the number of workers can follow the cores while
 * the memory stays bounded whatever the images are. Decoding an image of {@code w x h} pixels holds the
 * decoder's raster and its RGB copy, {@value #BYTES_PER_PIXEL} bytes a pixel (a 12-megapixel photo: 72 MB);
 * a worker reads the size from the header (no pixels decoded), takes that many bytes from the budget, waiting
 * until the request's deadline if others hold it, and gives them back after the image is classified. An image
 * that needs more than the whole budget is refused (413). Typical uploads (under a megapixel) never wait.
 */
final class DecodeBudget {
    static final long BYTES_PER_PIXEL = 6;
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "bmp", "gif");
    /** Unit of the semaphore: the budget is counted in KiB so that it fits in an int. */
    private static final long UNIT = 1024;

    private final long bytes;
    private final Semaphore kib;

    DecodeBudget(long bytes) {
        this.bytes = bytes;
        this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, bytes / UNIT), true);
    }

    /**
     * The heap the server may spend on decoding: the maximum heap minus room for the server itself, the bodies of
     * queued requests and the collector's headroom (a third of the heap, at least 48 MB); never under 16 MB.
     */
    static DecodeBudget forHeap(long maxHeapBytes) {
        long reserve = Math.max(48L << 20, maxHeapBytes / 3);
        return new DecodeBudget(Math.max(16L << 20, maxHeapBytes - reserve));
    }

    long bytes() { return bytes; }

    /** Largest image (in pixels) the budget can ever admit. */
    long maxPixels() { return bytes / BYTES_PER_PIXEL; }

    /** Permits to give back with {@link #release}. */
    record Lease(int units) {}

    /**
     * Takes the memory to decode {@code image}. Images whose header cannot be read take a token amount: the
     * decoder rejects them at once.
     *
     * @throws HttpError 413 if the image can never fit, 503 if the memory does not free up before the deadline
     */
    Lease acquire(byte[] image, long deadlineNanos) throws InterruptedException {
        long pixels = pixels(image);
        long need = pixels > 0 ? pixels * BYTES_PER_PIXEL : 64 * UNIT;
        if (need > bytes) {
            throw HttpError.tooLarge(String.format(Locale.ROOT, "image of %d pixels needs %d MB to decode, more than this server's"
                    + " decoding memory (%d MB, from its heap size): send a smaller image", pixels, need >> 20, bytes >> 20));
        }
        int units = (int) Math.max(1, (need + UNIT - 1) / UNIT);
        if (!kib.tryAcquire(units, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw HttpError.busy("timed out waiting for memory to decode the image; retry later");
        }
        return new Lease(units);
    }

    void release(Lease lease) {
        kib.release(lease.units());
    }

    /** Width x height from the image header, or -1 when no supported reader recognises it. */
    static long pixels(byte[] data) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                try {
                    if (!FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) continue;
                    r.setInput(in, true, true);
                    return Math.max(1, (long) r.getWidth(0) * r.getHeight(0));
                } catch (IOException | RuntimeException e) {
                    return -1;
                } finally {
                    r.dispose();
                }
            }
        } catch (IOException e) {
            // unreadable: the decoder says why
        }
        return -1;
    }
}
