package dev.mlpack.runtime.image;

import java.io.IOException;

/**
 * An image could not be decoded: unreadable, unknown format, corrupt or truncated data, or more
 * pixels than allowed. The message is one line, {@code "<source>: <reason>"}, fit to show to a
 * user or to log next to the file name in an evaluation run.
 *
 * <p>A subclass of {@link IOException} so that callers reading image files handle it together
 * with other I/O failures, or separately when a bad image should be skipped but a broken disk
 * should not.
 */
public class ImageDecodeException extends IOException {
    private final String source;

    public ImageDecodeException(String source, String reason) {
        super(source + ": " + reason);
        this.source = source;
    }

    public ImageDecodeException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
        this.source = source;
    }

    /** The file name or other label of the image that failed. */
    public String source() {
        return source;
    }
}
