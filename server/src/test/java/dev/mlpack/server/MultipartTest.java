package dev.mlpack.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The multipart/form-data parser alone ({@link ImageRequests#parse}), on bodies written byte by byte here: no server,
 * no Python. Each case names what a client sends and what must come out: the exact bytes of each image, or the
 * status of the error.
 */
class MultipartTest {
    static final int MAX = 4;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static List<ImageRequests.ImageFile> parse(String contentType, byte[] body) {
        return ImageRequests.parse(contentType, body, body.length, MAX);
    }

    static byte[] slice(ImageRequests.ImageFile f) {
        return Arrays.copyOfRange(f.data(), f.offset(), f.offset() + f.length());
    }

    static HttpError refused(String contentType, byte[] body) {
        return assertThrows(HttpError.class, () -> parse(contentType, body));
    }

    /** A part as a browser or curl writes it. */
    static byte[] part(String boundary, String name, byte[] data) {
        return concat(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"f.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"), data, bytes("\r\n"));
    }

    static byte[] close(String boundary) {
        return bytes("--" + boundary + "--\r\n");
    }

    @Test
    void eachImagePartIsItsExactBytesInOrderAndOtherFieldsAreSkipped() {
        byte[] a = bytes("first\r\nimage\r\n"); // ends in CRLF: the CRLF before the delimiter is the delimiter's
        byte[] b = bytes("--b is not the delimiter without a line break before it");
        byte[] body = concat(part("XyZ", "image", a), part("XyZ", "note", bytes("hello")), part("XyZ", "image", b), close("XyZ"));
        List<ImageRequests.ImageFile> files = parse("multipart/form-data; boundary=XyZ", body);
        assertEquals(2, files.size());
        assertArrayEquals(a, slice(files.get(0)));
        assertArrayEquals(b, slice(files.get(1)));
    }

    @Test
    void dataThatHoldsTheBoundaryWithoutItsLeadingLineBreakIsData() {
        byte[] data = bytes("x--b--\r\n-b--b\n--b\r--b");
        byte[] body = concat(part("b", "image", data), close("b"));
        assertArrayEquals(data, slice(parse("multipart/form-data; boundary=b", body).get(0)));
    }

    @Test
    void aQuotedBoundaryWithCharactersATokenCannotHold() {
        String boundary = "----=_Part 0:1,(x)?";
        byte[] body = concat(part(boundary, "image", bytes("img")), close(boundary));
        List<ImageRequests.ImageFile> files = parse("multipart/form-data; charset=utf-8; boundary=\"" + boundary + "\"", body);
        assertArrayEquals(bytes("img"), slice(files.get(0)));
    }

    @Test
    void parameterNamesAndTheMediaTypeAreCaseInsensitive() {
        byte[] body = concat(bytes("--q\r\nCONTENT-DISPOSITION: form-data; NAME=image\r\n\r\nimg\r\n"), close("q"));
        assertArrayEquals(bytes("img"), slice(parse("Multipart/Form-Data; Boundary=q", body).get(0)));
    }

    @Test
    void aPreambleAndAnEpilogueAreIgnored() {
        byte[] body = concat(bytes("This is a preamble.\r\n"), part("b", "image", bytes("img")), close("b"), bytes("epilogue --b\r\n"));
        assertArrayEquals(bytes("img"), slice(parse("multipart/form-data; boundary=b", body).get(0)));
    }

    @Test
    void transportPaddingAfterTheDelimiterIsAllowed() {
        byte[] body = concat(bytes("--b  \t\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nimg\r\n"), close("b"));
        assertArrayEquals(bytes("img"), slice(parse("multipart/form-data; boundary=b", body).get(0)));
    }

    @Test
    void aClosingDelimiterWithoutTheFinalLineBreakEndsTheBody() {
        byte[] body = concat(part("b", "image", bytes("img")), bytes("--b--"));
        assertArrayEquals(bytes("img"), slice(parse("multipart/form-data; boundary=b", body).get(0)));
    }

    @Test
    void aPartWithoutHeadersIsSkipped() {
        byte[] body = concat(bytes("--b\r\n\r\nno headers\r\n"), part("b", "image", bytes("img")), close("b"));
        List<ImageRequests.ImageFile> files = parse("multipart/form-data; boundary=b", body);
        assertEquals(1, files.size());
        assertArrayEquals(bytes("img"), slice(files.get(0)));
    }

    @Test
    void aQuotedFilenameMayHoldSemicolonsAndNameEquals() {
        byte[] body = concat(bytes("--b\r\nContent-Disposition: form-data; filename=\"a; name=file.png\"; name=\"image\"\r\n\r\nimg\r\n"),
                close("b"));
        assertArrayEquals(bytes("img"), slice(parse("multipart/form-data; boundary=b", body).get(0)));
    }

    @Test
    void aBodyWithoutTheClosingDelimiterIs400() {
        HttpError e = refused("multipart/form-data; boundary=b", bytes("--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nimg"));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("closing boundary"), e.getMessage());
    }

    @Test
    void aLastDelimiterWithoutItsDashesIs400() {
        HttpError e = refused("multipart/form-data; boundary=b", concat(part("b", "image", bytes("img")), bytes("--b")));
        assertEquals(400, e.status);
    }

    @Test
    void aBodyWithoutTheBoundaryIs400() {
        assertEquals(400, refused("multipart/form-data; boundary=b", bytes("just some bytes")).status);
        assertEquals(400, refused("multipart/form-data; boundary=other", concat(part("b", "image", bytes("img")), close("b"))).status);
    }

    @Test
    void aMissingEmptyOrOverlongBoundaryParameterIs400() {
        byte[] body = concat(part("b", "image", bytes("img")), close("b"));
        assertEquals(400, refused("multipart/form-data", body).status);
        assertEquals(400, refused("multipart/form-data; boundary=", body).status);
        assertEquals(400, refused("multipart/form-data; boundary=\"\"", body).status);
        String longBoundary = "b".repeat(71); // RFC 2046: 1 to 70 characters
        assertEquals(400, refused("multipart/form-data; boundary=" + longBoundary,
                concat(part(longBoundary, "image", bytes("img")), close(longBoundary))).status);
    }

    @Test
    void bareLineFeedsAreNotLineBreaks() {
        byte[] body = bytes("--b\nContent-Disposition: form-data; name=\"image\"\n\nimg\n--b--\n");
        assertEquals(400, refused("multipart/form-data; boundary=b", body).status);
    }

    @Test
    void aDelimiterFollowedByTextIs400() {
        // RFC 2046: a line that starts with the whole delimiter is one; here it is followed by more than padding.
        byte[] body = concat(part("b", "image", bytes("img")), bytes("--bogus\r\n"), close("b"));
        assertEquals(400, refused("multipart/form-data; boundary=b", body).status);
    }

    @Test
    void anEmptyImagePartIs400() {
        HttpError e = refused("multipart/form-data; boundary=b", concat(part("b", "image", new byte[0]), close("b")));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void noImageFieldIs400NamingTheFieldsSent() {
        HttpError e = refused("multipart/form-data; boundary=b", concat(part("b", "file", bytes("img")), part("b", "note", bytes("x")), close("b")));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().contains("got file, note"), e.getMessage());
        HttpError none = refused("multipart/form-data; boundary=b", close("b"));
        assertEquals(400, none.status);
        assertTrue(none.getMessage().contains("no fields"), none.getMessage());
    }

    @Test
    void theMaximumNumberOfImagesIsServedAndOneMoreIs413() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < MAX; i++) body.writeBytes(part("b", "image", bytes("img" + i)));
        body.writeBytes(close("b"));
        assertEquals(MAX, parse("multipart/form-data; boundary=b", body.toByteArray()).size());

        ByteArrayOutputStream over = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX; i++) over.writeBytes(part("b", "image", bytes("img" + i)));
        over.writeBytes(close("b"));
        HttpError e = refused("multipart/form-data; boundary=b", over.toByteArray());
        assertEquals(413, e.status);
        assertTrue(e.getMessage().contains("more than " + MAX + " images"), e.getMessage());
    }

    @Test
    void manyImagePartsAreRefusedAt413WithoutReadingThemAll() {
        // 100,000 tiny parts: refused at the fifth image, not after walking the body.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) body.writeBytes(part("b", "image", bytes("x")));
        body.writeBytes(close("b"));
        long t0 = System.nanoTime();
        assertEquals(413, refused("multipart/form-data; boundary=b", body.toByteArray()).status);
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
    }

    @Test
    void manyPartsThatAreNotImagesAre413() {
        // Fields other than images cost the parser too: their number is bounded, and the error names only a few.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) body.writeBytes(part("b", "f" + i, bytes("x")));
        body.writeBytes(part("b", "image", bytes("img")));
        body.writeBytes(close("b"));
        HttpError e = refused("multipart/form-data; boundary=b", body.toByteArray());
        assertEquals(413, e.status);
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void aFewOtherFieldsBesideTheImagesAreFine() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) body.writeBytes(part("b", "f" + i, bytes("x")));
        body.writeBytes(part("b", "image", bytes("img")));
        body.writeBytes(close("b"));
        assertEquals(1, parse("multipart/form-data; boundary=b", body.toByteArray()).size());
    }

    @Test
    void onlyTheFirstLengthBytesOfTheBufferAreTheBody() {
        // The body buffer may be larger than the body (it is pooled by size): bytes past length are not read.
        byte[] body = concat(part("b", "image", bytes("img")), bytes("--b"), bytes("--\r\n" + "junk".repeat(10)));
        int length = body.length - 4 * 10 - 4; // cut before the closing dashes
        HttpError e = assertThrows(HttpError.class, () -> ImageRequests.parse("multipart/form-data; boundary=b", body, length, MAX));
        assertEquals(400, e.status);
        byte[] good = concat(part("b", "image", bytes("img")), close("b"), bytes("\0".repeat(100)));
        assertEquals(1, ImageRequests.parse("multipart/form-data; boundary=b", good, good.length - 100, MAX).size());
    }
}
