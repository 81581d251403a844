package dev.mlpack.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@code /predict} request body into the image files it carries, by its {@code Content-Type}:
 *
 * <ul>
 *   <li>{@code image/*} or {@code application/octet-stream}: the body is one image file;
 *   <li>{@code multipart/form-data}: every part named {@value #FIELD} is one image file;
 *   <li>{@code application/json}: {@code {"images": ["<base64>", ...]}}.
 * </ul>
 *
 * Nothing is written to disk, and nothing is copied that need not be: multipart files are slices of the body, and JSON
 * is read as a stream of tokens, each base64 string decoded as it comes. Every problem is an {@link HttpError}: 415
 * for other media types, 400 for a body that does not hold what its type promises, 413 for more images than allowed.
 */
final class ImageRequests {
    static final String FIELD = "image";
    static final JsonFactory JSON = new JsonFactory();

    /**
     * How a body is read, known from its {@code Content-Type} before any byte of it is; {@code memoryFactor} is what
     * reading it may hold per body byte (the body, plus the images decoded from base64 and one string being decoded).
     */
    enum Kind {
        IMAGE(1), MULTIPART(1), JSON(3);

        final int memoryFactor;

        Kind(int memoryFactor) {
            this.memoryFactor = memoryFactor;
        }
    }

    /** An image file: {@code length} bytes at {@code offset} of {@code data} (a slice of the body, or decoded base64). */
    record ImageFile(byte[] data, int offset, int length) implements RequestItem {
        static ImageFile of(byte[] data) {
            return new ImageFile(data, 0, data.length);
        }
    }

    private ImageRequests() {}

    /** The kind of a {@code /predict} body from its Content-Type; 415 for types it does not take. */
    static Kind kind(String contentType) {
        String type = mediaType(contentType);
        if (type.startsWith("image/") || type.equals("application/octet-stream")) return Kind.IMAGE;
        if (type.equals("multipart/form-data")) return Kind.MULTIPART;
        if (type.equals("application/json")) return Kind.JSON;
        throw HttpError.unsupported("unsupported Content-Type '" + (contentType == null ? "" : contentType)
                + "': send image/jpeg, image/png, multipart/form-data or application/json");
    }

    /** The images of a body of {@code length} bytes; more than {@code maxImages} is 413. */
    static List<ImageFile> parse(String contentType, byte[] body, int length, int maxImages) {
        if (length == 0) {
            throw HttpError.badRequest("empty body: send an image (Content-Type image/jpeg or image/png), a multipart form"
                    + " with field '" + FIELD + "', or JSON {\"images\": [\"<base64>\"]}");
        }
        return switch (kind(contentType)) {
            case IMAGE -> List.of(new ImageFile(body, 0, length));
            case MULTIPART -> multipart(contentType, body, length, maxImages);
            case JSON -> json(body, length, maxImages);
        };
    }

    /** The media type in lower case without parameters, {@code ""} when absent. */
    static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static HttpError tooManyImages(int maxImages) {
        return HttpError.tooLarge("more than " + maxImages + " images in one request (--max-images): send them in several requests");
    }

    // ------------------------------------------------------------------ JSON

    private static List<ImageFile> json(byte[] body, int length, int maxImages) {
        List<ImageFile> images = null;
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw notImages();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("images")) {
                    p.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY) throw notImages();
                images = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    String where = "\"images\"[" + images.size() + "]";
                    if (t != JsonToken.VALUE_STRING) throw HttpError.badRequest(where + " is not a base64 string");
                    if (images.size() == maxImages) throw tooManyImages(maxImages);
                    images.add(ImageFile.of(base64(p.getText(), where)));
                }
            }
            expectEnd(p);
        } catch (IOException e) {
            throw HttpError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (images == null) throw notImages();
        if (images.isEmpty()) throw HttpError.badRequest("\"images\" is empty: send at least one image");
        return images;
    }

    private static HttpError notImages() {
        return HttpError.badRequest("JSON body must be {\"images\": [\"<base64>\", ...]}");
    }

    /** Nothing but white space after the top-level value. */
    static void expectEnd(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw HttpError.badRequest("malformed JSON: expected one object");
        }
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

    private static List<ImageFile> multipart(String contentType, byte[] body, int length, int maxImages) {
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw HttpError.badRequest("multipart/form-data without a boundary parameter");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<ImageFile> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int pos = indexOf(body, length, delimiter, 0);
        if (pos < 0) throw HttpError.badRequest("malformed multipart body: boundary not found");
        while (true) {
            int after = pos + delimiter.length;
            if (after + 2 <= length && body[after] == '-' && body[after + 1] == '-') break; // closing delimiter
            int headersStart = skipLineEnd(body, length, after);
            int headersEnd = indexOf(body, length, CRLFCRLF, headersStart);
            if (headersEnd < 0) throw HttpError.badRequest("malformed multipart body: part without headers");
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, length, nextDelimiter, dataStart);
            if (next < 0) throw HttpError.badRequest("malformed multipart body: missing closing boundary");
            String name = dispositionName(headers);
            names.add(name == null ? "(unnamed)" : name);
            if (FIELD.equals(name)) {
                if (next == dataStart) throw HttpError.badRequest("multipart field '" + FIELD + "' " + (images.size() + 1) + " is empty");
                if (images.size() == maxImages) throw tooManyImages(maxImages);
                images.add(new ImageFile(body, dataStart, next - dataStart));
            }
            pos = next + 2;
        }
        if (images.isEmpty()) {
            throw HttpError.badRequest("multipart form has no field named '" + FIELD + "' (got "
                    + (names.isEmpty() ? "no fields" : String.join(", ", names)) + "): name the file field '" + FIELD + "'");
        }
        return images;
    }

    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    private static int skipLineEnd(byte[] b, int length, int i) {
        while (i < length && (b[i] == ' ' || b[i] == '\t')) i++; // transport padding
        if (i + 1 < length && b[i] == '\r' && b[i + 1] == '\n') return i + 2;
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

    /** The first {@code needle} in the first {@code length} bytes of {@code haystack} at or after {@code from}, or -1. */
    static int indexOf(byte[] haystack, int length, byte[] needle, int from) {
        byte first = needle[0];
        outer:
        for (int i = Math.max(0, from), last = length - needle.length; i <= last; i++) {
            if (haystack[i] != first) continue;
            for (int j = 1; j < needle.length; j++) {
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
