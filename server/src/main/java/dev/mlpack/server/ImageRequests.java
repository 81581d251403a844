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

    /** Parts besides the images a form may have (other fields): each costs the parser, so their number is bounded. */
    static final int MAX_OTHER_PARTS = 64;
    /** RFC 2046: a boundary is 1 to 70 characters. */
    static final int MAX_BOUNDARY = 70;
    private static final int NAMES_SHOWN = 8;

    /**
     * The parts named {@value #FIELD}, as slices of the body. A delimiter is CRLF, "--" and the boundary at the start
     * of a line (RFC 2046: the boundary in its entirety after the CRLF is enough), followed by transport padding and
     * CRLF, or by "--" for the last one; the CRLF before a delimiter belongs to it, not to the part. Bare line feeds
     * are not line breaks. More than {@code maxImages} image parts, or more than {@value #MAX_OTHER_PARTS} others, is
     * 413 as soon as the parser reaches it.
     */
    private static List<ImageFile> multipart(String contentType, byte[] body, int length, int maxImages) {
        String boundary = parameter(contentType, "boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw HttpError.badRequest("multipart/form-data needs a boundary parameter of 1 to " + MAX_BOUNDARY + " characters");
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<ImageFile> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int others = 0;
        int pos = firstDelimiter(body, length, delimiter);
        if (pos < 0) throw HttpError.badRequest("malformed multipart body: boundary not found");
        while (true) {
            int after = pos + delimiter.length;
            if (after + 2 <= length && body[after] == '-' && body[after + 1] == '-') break; // closing delimiter
            int headersStart = skipLineEnd(body, length, after);
            int headersEnd = headersStart + 2 <= length && body[headersStart] == '\r' && body[headersStart + 1] == '\n'
                    ? headersStart - 2 // no headers: the blank line follows the delimiter's line break
                    : indexOf(body, length, CRLFCRLF, headersStart);
            if (headersEnd < 0) throw HttpError.badRequest("malformed multipart body: part without a blank line after its headers");
            String headers = headersEnd <= headersStart ? "" : new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, length, nextDelimiter, dataStart);
            if (next < 0) throw HttpError.badRequest("malformed multipart body: missing closing boundary");
            String name = dispositionName(headers);
            if (FIELD.equals(name)) {
                if (next == dataStart) throw HttpError.badRequest("multipart field '" + FIELD + "' " + (images.size() + 1) + " is empty");
                if (images.size() == maxImages) throw tooManyImages(maxImages);
                images.add(new ImageFile(body, dataStart, next - dataStart));
            } else {
                if (++others > MAX_OTHER_PARTS) {
                    throw HttpError.tooLarge("more than " + MAX_OTHER_PARTS + " multipart fields besides '" + FIELD
                            + "': send the images alone");
                }
                if (names.size() < NAMES_SHOWN) names.add(name == null ? "(unnamed)" : name);
            }
            pos = next + 2;
        }
        if (images.isEmpty()) {
            throw HttpError.badRequest("multipart form has no field named '" + FIELD + "' (got "
                    + (names.isEmpty() ? "no fields" : String.join(", ", names) + (others > names.size() ? ", ..." : ""))
                    + "): name the file field '" + FIELD + "'");
        }
        return images;
    }

    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    /** The first delimiter: at the start of the body, or after the preamble's last line break. */
    private static int firstDelimiter(byte[] body, int length, byte[] delimiter) {
        if (startsWith(body, length, 0, delimiter)) return 0;
        byte[] crlfDelimiter = new byte[delimiter.length + 2];
        crlfDelimiter[0] = '\r';
        crlfDelimiter[1] = '\n';
        System.arraycopy(delimiter, 0, crlfDelimiter, 2, delimiter.length);
        int i = indexOf(body, length, crlfDelimiter, 0);
        return i < 0 ? -1 : i + 2;
    }

    private static boolean startsWith(byte[] b, int length, int at, byte[] prefix) {
        if (at + prefix.length > length) return false;
        for (int j = 0; j < prefix.length; j++) {
            if (b[at + j] != prefix[j]) return false;
        }
        return true;
    }

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

    /**
     * A parameter of a header value ({@code type; key=value; key="quoted"}), or null. Quoted strings may hold
     * {@code ;} and {@code =} and backslash escapes (RFC 9110 5.6.6), so a {@code filename="a; name=b"} is one value.
     */
    static String parameter(String header, String key) {
        if (header == null) return null;
        int n = header.length();
        int i = header.indexOf(';');
        while (i >= 0 && i < n) {
            i++; // past ';'
            int eq = i;
            while (eq < n && header.charAt(eq) != '=' && header.charAt(eq) != ';') eq++;
            if (eq >= n || header.charAt(eq) == ';') { // a parameter without a value
                i = eq;
                continue;
            }
            String name = header.substring(i, eq).trim();
            int v = eq + 1;
            while (v < n && (header.charAt(v) == ' ' || header.charAt(v) == '\t')) v++;
            String value;
            if (v < n && header.charAt(v) == '"') {
                StringBuilder sb = new StringBuilder();
                int j = v + 1;
                for (; j < n && header.charAt(j) != '"'; j++) {
                    char c = header.charAt(j);
                    if (c == '\\' && j + 1 < n) c = header.charAt(++j);
                    sb.append(c);
                }
                value = sb.toString();
                i = header.indexOf(';', Math.min(j + 1, n));
            } else {
                int end = header.indexOf(';', v);
                value = header.substring(v, end < 0 ? n : end).trim();
                i = end;
            }
            if (name.equalsIgnoreCase(key)) return value;
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
