package dev.mlpack.server;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A request body read into one array, within a size limit and the request's deadline: a client that stops sending,
 * or sends too slowly to finish in time, gets its 503 when the deadline passes, and the thread waiting for it is a
 * virtual one, parked at no cost meanwhile.
 *
 * @param data the bytes ({@code length} of them; the array may be longer)
 * @param length how many bytes the body had
 */
record RequestBody(byte[] data, int length) {
    private static final int FIRST_CHUNKED_BUFFER = 64 * 1024;

    /** Thrown when the client's connection failed while it sent the body: nobody is left to answer. */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super(cause == null ? "the client went away" : cause.toString(), cause, false, false);
        }
    }

    /**
     * Reads the body: {@code declared} bytes (its Content-Length), or until the end of a chunked one.
     *
     * @throws HttpError 413 over {@code limit}, 503 past the deadline, 400 for a body cut short
     * @throws ClientGone when the connection failed
     */
    static RequestBody read(Request request, long declared, long limit, Deadline deadline) throws InterruptedException {
        if (declared > limit) throw tooLarge(limit);
        byte[] buffer = new byte[declared >= 0 ? (int) declared : (int) Math.min(FIRST_CHUNKED_BUFFER, limit + 1)];
        int length = 0;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                CountDownLatch ready = new CountDownLatch(1);
                request.demand(ready::countDown);
                if (!ready.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) throw deadline.exceeded("while receiving its body");
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    // A malformed body (a bad chunk) is the client's mistake, answered; anything else means it went away.
                    if (chunk.getFailure() instanceof org.eclipse.jetty.http.HttpException bad && bad.getCode() < 500) {
                        throw HttpError.badRequest("malformed request body: " + ImageRequests.firstLine(chunk.getFailure().getMessage()));
                    }
                    throw new ClientGone(chunk.getFailure());
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                int n = bytes.remaining();
                if ((long) length + n > limit) throw tooLarge(limit);
                if (length + n > buffer.length) buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(2L * buffer.length, length + n), limit + 1));
                bytes.get(buffer, length, n);
                length += n;
                if (chunk.isLast()) break;
            } finally {
                chunk.release();
            }
        }
        if (declared >= 0 && length != declared) throw HttpError.badRequest("the body ended after " + length + " of its " + declared + " bytes");
        return new RequestBody(buffer, length);
    }

    static HttpError tooLarge(long limit) {
        return HttpError.tooLarge("request body larger than " + limit + " bytes (--max-body); send a smaller image");
    }
}
