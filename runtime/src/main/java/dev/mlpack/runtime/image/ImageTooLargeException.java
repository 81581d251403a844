package dev.mlpack.runtime.image;

import java.util.Locale;

/**
 * An image whose header claims more pixels than the decoder accepts: refused before any pixel is decoded, so that a
 * small file claiming a huge size (a decompression bomb) costs nothing. A server answers it 413, not 400.
 */
public final class ImageTooLargeException extends ImageDecodeException {
    public ImageTooLargeException(String source, int width, int height, long maxPixels) {
        super(source, String.format(Locale.ROOT, "%dx%d image has %d pixels, more than the limit of %d", width, height,
                (long) width * height, maxPixels));
    }
}
