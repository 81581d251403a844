package dev.mlpack.server;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@code /predict} request body into the image files it carries, by its {@code Content-Type}:
 *
 * <ul>
 *   <li>{@code image/*} or {@code application/octet-stream}: the body is one image file;
 *   <li>{@code multipart/form-data}: every part named {@value #FIELD} is one image file;
 *   <li>{@code application/json}: {@code {"images": ["<base64>", ...]}}.
 * </ul>
 *
 * Nothing is written to disk. Every problem is an {@link HttpError}: 415 for other media types, 400 for a body
 * that does not hold what its type promises.
 */
final class ImageRequests {
    static final String FIELD = "image";

    private ImageRequests() {}

    static List<byte[]> parse(String contentType, byte[] body) {
        String type = mediaType(contentType);
        if (body.length == 0) {
            throw HttpError.badRequest("empty body: send an image (Content-Type image/jpeg or image/png), a multipart form"
                    + " with field '" + FIELD + "', or JSON {\"images\": [\"<base64>\"]}");
        }
        if (type.startsWith("image/") || type.equals("application/octet-stream")) return List.of(body);
        if (type.equals("multipart/form-data")) return multipart(contentType, body);
        if (type.equals("application/json")) return json(body);
        throw HttpError.unsupported("unsupported Content-Type '" + (contentType == null ? "" : contentType)
                + "': send image/jpeg, image/png, multipart/form-data or application/json");
    }

    /** The media type in lower case without parameters, {@code ""} when absent. */
    static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ JSON

    private static List<byte[]> json(byte[] body) {
        Object root;
        try {
            root = JSON.std.anyFrom(new String(body, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw HttpError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> map) || !(map.get("images") instanceof List<?> list)) {
            throw HttpError.badRequest("JSON body must be {\"images\": [\"<base64>\", ...]}");
        }
        return base64List(list, "images");
    }

    /** Decodes a JSON array of base64 strings; {@code field} names it in messages. */
    static List<byte[]> base64List(List<?> list, String field) {
        if (list.isEmpty()) throw HttpError.badRequest("\"" + field + "\" is empty: send at least one image");
        List<byte[]> images = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw HttpError.badRequest("\"" + field + "\"[" + i + "] is not a base64 string");
            }
            images.add(base64(s, "\"" + field + "\"[" + i + "]"));
        }
        return images;
    }

    /** Standard or URL-safe base64, with or without padding, a {@code data:} URL prefix allowed. */
    static byte[] base64(String text, String what) {
        String s = text.strip();
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            s = comma < 0 ? "" : s.substring(comma + 1);
        }
        try {
            byte[] bytes = s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(s) : Base64.getMimeDecoder().decode(s);
            if (bytes.length == 0) throw HttpError.badRequest(what + " is empty");
            return bytes;
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(what + " is not valid base64: " + firstLine(e.getMessage()));
        }
    }

    // ------------------------------------------------------------------ multipart (RFC 7578)

    private static List<byte[]> multipart(String contentType, byte[] body) {
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw HttpError.badRequest("multipart/form-data without a boundary parameter");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) throw HttpError.badRequest("malformed multipart body: boundary not found");
        while (true) {
            int after = pos + delimiter.length;
            if (after + 2 <= body.length && body[after] == '-' && body[after + 1] == '-') break; // closing delimiter
            int headersStart = skipLineEnd(body, after);
            int headersEnd = indexOf(body, CRLFCRLF, headersStart);
            if (headersEnd < 0) throw HttpError.badRequest("malformed multipart body: part without headers");
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, concat(CRLF, delimiter), dataStart);
            if (next < 0) throw HttpError.badRequest("malformed multipart body: missing closing boundary");
            String name = dispositionName(headers);
            names.add(name == null ? "(unnamed)" : name);
            if (FIELD.equals(name)) {
                byte[] data = java.util.Arrays.copyOfRange(body, dataStart, next);
                if (data.length == 0) throw HttpError.badRequest("multipart field '" + FIELD + "' " + (images.size() + 1) + " is empty");
                images.add(data);
            }
            pos = next + 2;
        }
        if (images.isEmpty()) {
            throw HttpError.badRequest("multipart form has no field named '" + FIELD + "' (got "
                    + (names.isEmpty() ? "no fields" : String.join(", ", names)) + "): name the file field '" + FIELD + "'");
        }
        return images;
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    private static int skipLineEnd(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t')) i++; // transport padding
        if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') return i + 2;
        throw HttpError.badRequest("malformed multipart body: boundary not followed by a line break");
    }

    /** The {@code name} of a part's {@code Content-Disposition: form-data; name="..."} header, or null. */
    private static String dispositionName(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
                return parameter(line.substring(colon + 1), "name");
            }
        }
        return null;
    }

    /** A parameter of a header value ({@code type; key=value; key="quoted"}), or null. */
    static String parameter(String header, String key) {
        if (header == null) return null;
        String[] parts = header.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(key)) {
                String v = p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                return v;
            }
        }
        return null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from), last = haystack.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
