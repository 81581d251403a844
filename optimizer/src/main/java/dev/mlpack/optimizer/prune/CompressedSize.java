package dev.mlpack.optimizer.prune;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The gzip size of a model at level 9 (zlib's, which {@code gzip -9} also uses): what a Heroku slug, a Docker
 * layer or an HTTP download with compression costs. Zeroed weights shrink this, where the raw file keeps its size.
 */
public final class CompressedSize {
    private CompressedSize() {}

    public static long of(byte[] bytes) {
        CountingStream counter = new CountingStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(counter, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override public void write(int b) { count++; }

        @Override public void write(byte[] b, int off, int len) { count += len; }
    }
}
