package dev.mlpack.runtime.image;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decodes image files straight to a model's input size, by the cheapest path the format allows, and says beforehand
 * how much memory each path holds, so that a server can admit images by a memory budget:
 *
 * <ul>
 *   <li>JPEG (gray or colour) with libjpeg-turbo ({@link TurboJpeg}): row by row into the resize when it is a
 *       {@link PlainJpeg}, stopping after the last row the resize needs, else whole through Leptonica; shrunk in the
 *       DCT domain by the largest of 1/8,
 *       1/4 and 1/2 that keeps the image at least as large as the resize needs (for {@link Resize#CROP}: the shorter
 *       side it scales to). Unscaled, the bytes are ImageIO's; scaled, the resize starts from a smaller, smoother
 *       image, so the model sees nearly, not exactly, what {@link ImageDecoder} would give it. A 4096 x 3072 photo
 *       for a 224 x 224 model decodes at 512 x 384.
 *   <li>PNG, non-interlaced: row by row ({@link PngRows}) into the resize, two rows in memory, exactly
 *       {@link ImageDecoder}'s pixels.
 *   <li>everything else (GIF, BMP, interlaced PNG, CMYK JPEG, and JPEGs libjpeg warns about): {@link ImageDecoder}.
 * </ul>
 *
 * <p>Thread-safe: it holds only its settings.
 */
public final class InputDecoder {

    /**
     * Told how many more bytes decoding is about to hold, before it holds them: a server takes them from its memory
     * budget (waiting, or refusing by throwing an unchecked exception, which propagates).
     */
    @FunctionalInterface
    public interface MemoryGate {
        void reserve(long bytes);

        /** A gate that never waits nor refuses. */
        MemoryGate NONE = bytes -> { };
    }

    /** The inflater's window and state, and the PNG reader's few row buffers, above its two rows. */
    private static final long PNG_READER_BYTES = 64 * 1024;
    /** What the decoder itself needs for a file it cannot read (it stops at the header). */
    private static final long UNREADABLE_BYTES = 64 * 1024;

    private final ImagePipeline pipeline;
    private final ImageDecoder imageIo;
    /** Loaded at the first JPEG, not at construction: binding the library's functions costs a server's boot 10% of its CPU. */
    private final Supplier<Optional<TurboJpeg>> turbo;

    /** A decoder for {@code pipeline}'s size and resize (its preprocessing is not applied) refusing images over {@code maxPixels}. */
    public InputDecoder(ImagePipeline pipeline, long maxPixels) {
        this(pipeline, maxPixels, TurboJpeg::get);
    }

    private InputDecoder(ImagePipeline pipeline, long maxPixels, Supplier<Optional<TurboJpeg>> turbo) {
        this.pipeline = pipeline;
        this.imageIo = new ImageDecoder(maxPixels);
        this.turbo = turbo;
    }

    /** The same decoder without libjpeg-turbo: every JPEG through ImageIO (for comparisons). */
    public InputDecoder withoutLibjpegTurbo() {
        return new InputDecoder(pipeline, imageIo.maxPixels(), Optional::empty);
    }

    public long maxPixels() { return imageIo.maxPixels(); }

    /** Whether JPEGs go through libjpeg-turbo (else ImageIO: another platform, or the library could not be loaded). */
    public boolean libjpegTurbo() { return turbo.get().isPresent(); }

    /** One phrase for startup logs: which decoders are in use, without loading any (see {@link #libjpegTurbo()}). */
    public String describe() {
        return (TurboJpeg.find() != null ? "JPEG libjpeg-turbo with DCT scaling" : "JPEG ImageIO (libjpeg-turbo not found)")
                + ", PNG streamed by rows, others ImageIO";
    }

    /**
     * Decodes the {@code length} bytes at {@code offset} and resizes them to the pipeline's size and channels:
     * HWC-interleaved floats in 0..255, as {@code pipeline.resized(decoded)} (RGB, or the luma of a grayscale input).
     *
     * @param source names the image in error messages
     * @param gate told of the memory each step is about to hold
     * @throws ImageTooLargeException if the header claims more pixels than the limit (nothing decoded)
     * @throws ImageDecodeException if the data is not a supported image, or is corrupt or truncated
     */
    public float[] resized(byte[] data, int offset, int length, String source, MemoryGate gate) throws ImageDecodeException {
        return decode(data, offset, length, source, gate, Resize::apply);
    }

    /**
     * Like {@link #resized} rounded to 0..255 bytes ({@link ImagePipeline#roundToUint8}) in the same pass: the input of
     * a raw-pixel model.
     */
    public byte[] pixels(byte[] data, int offset, int length, String source, MemoryGate gate) throws ImageDecodeException {
        return decode(data, offset, length, source, gate, Resize::applyRounded);
    }

    /** How the decoded rows are brought to the input size. */
    @FunctionalInterface
    private interface Shrink<T> {
        T apply(Resize resize, RowSource image, int height, int width) throws ImageDecodeException;
    }

    private <T> T decode(byte[] data, int offset, int length, String source, MemoryGate gate, Shrink<T> shrink)
            throws ImageDecodeException {
        if (length == 0) throw new ImageDecodeException(source, "empty file");
        ImageHeader header = ImageHeader.read(data, offset, length);
        if (header.recognised() && header.pixels() > imageIo.maxPixels()) {
            throw new ImageTooLargeException(source, header.width(), header.height(), imageIo.maxPixels());
        }
        int height = pipeline.height();
        int width = pipeline.width();
        Resize resize = pipeline.resize();
        long output = 4L * pipeline.inputLength();
        JpegFrame jpeg = header.jpeg();
        Optional<TurboJpeg> fast = jpeg == null ? Optional.empty() : turbo.get();
        if (jpeg != null && fast.isPresent() && (jpeg.components() == 1 || jpeg.components() == 3)) {
            int reduction = reduction(jpeg.width(), jpeg.height());
            int scaledWidth = ceilDiv(jpeg.width(), reduction);
            PlainJpeg plain = PlainJpeg.parse(data, offset, length);
            if (plain != null) {
                // The rebuilt file in native memory, libjpeg's buffers, its output row and the two rows on the heap.
                gate.reserve(plain.streamLength() + jpeg.coefficientBytes() + 9L * scaledWidth + output);
                try (JpegRows rows = fast.get().open(plain, reduction)) {
                    T out = shrink.apply(resize, inChannels(rows), height, width);
                    if (!rows.warned()) return out;
                }
            } else {
                long scaled = (long) scaledWidth * ceilDiv(jpeg.height(), reduction);
                // The file's copy in native memory, libjpeg's buffers, Leptonica's 32-bit image and its copy on the heap.
                gate.reserve(length + jpeg.coefficientBytes() + scaled * 8 + output);
                DecodedRows image = fast.get().decode(data, offset, length, reduction);
                if (image != null) return shrink.apply(resize, inChannels(image), height, width);
            }
            gate.reserve(header.imageIoBytes(length)); // refused or warned about: ImageIO decides, at full size
            return shrink.apply(resize, inChannels(RowSource.of(imageIo.decode(data, offset, length, header, source))), height, width);
        }
        if (header.png() != null) {
            try (PngRows rows = PngRows.open(data, offset, length, header.png(), source)) {
                if (rows != null) {
                    gate.reserve(PNG_READER_BYTES + 24L * header.width() + output);
                    T out = shrink.apply(resize, inChannels(rows), height, width);
                    rows.finish();
                    return out;
                }
            }
        }
        gate.reserve((!header.recognised() ? length + UNREADABLE_BYTES : header.imageIoBytes(length)) + output);
        return shrink.apply(resize, inChannels(RowSource.of(imageIo.decode(data, offset, length, header, source))), height, width);
    }

    /** The decoded RGB rows in the input's channels: as they are, or their luma for a grayscale input. */
    private RowSource inChannels(RowSource rgb) {
        return pipeline.grayscale() ? RowSource.luma(rgb) : rgb;
    }

    /**
     * The DCT-domain shrink factor for a {@code w x h} JPEG: the largest of 8, 4 and 2 that leaves the image at least
     * as large as the resize needs, else 1.
     */
    int reduction(int w, int h) {
        int[] min = pipeline.resize().minimumSourceSize(pipeline.height(), pipeline.width());
        for (int r = 8; r > 1; r /= 2) {
            if (ceilDiv(h, r) >= min[0] && ceilDiv(w, r) >= min[1]) return r;
        }
        return 1;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
