package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to requests Jetty refuses before they reach the server's handler: a malformed request line or URI, a bad
 * or repeated Content-Length, a bad chunk, headers over the size limit (431), a missing Host. They get the server's
 * usual {@code {"error": "..."}} instead of Jetty's HTML page, and are logged and counted like any other request
 * (route {@code protocol}).
 */
final class JsonErrorHandler extends ErrorHandler {
    /** Told of each refusal: status and the message sent. */
    interface Listener {
        void refused(Request request, int status, String message);
    }

    private final int headerLimit;
    private final Listener listener;

    JsonErrorHandler(int headerLimit, Listener listener) {
        this.headerLimit = headerLimit;
        this.listener = listener;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : 500;
        String message = message(status, request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null);
        byte[] body;
        try {
            body = JSON.std.asBytes(Map.of("error", message));
        } catch (java.io.IOException e) {
            body = "{\"error\":\"bad request\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        listener.refused(request, status, message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** One line saying what was wrong, from Jetty's reason ("Invalid Content-Length Value", "No Host", ...). */
    private String message(int status, String reason) {
        if (status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431) {
            return "request headers larger than " + headerLimit + " bytes: send smaller headers (cookies, long URLs)";
        }
        String why = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        return status >= 500 ? "internal error; the server log has the details"
                : "malformed HTTP request: " + ImageRequests.firstLine(why);
    }
}
