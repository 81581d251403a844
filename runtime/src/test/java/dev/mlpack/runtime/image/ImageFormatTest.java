package dev.mlpack.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one list of image formats: what a file name says, and how messages name them. */
class ImageFormatTest {

    @Test
    void extensionsNameTheirFormatInAnyCase() {
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.ofFileName("leaf.JPG"));
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.ofFileName("a.b.jpeg"));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.ofFileName("x.Png"));
        assertEquals(Optional.of(ImageFormat.GIF), ImageFormat.ofFileName("x.gif"));
        assertEquals(Optional.empty(), ImageFormat.ofFileName("x.webp"));
        assertEquals(Optional.empty(), ImageFormat.ofFileName("jpg"));
        assertEquals(Optional.empty(), ImageFormat.ofFileName("x.jpg.txt"));
        assertTrue(ImageFormat.isImageFile(Path.of("data", "cat", "1.bmp")));
        assertFalse(ImageFormat.isImageFile(Path.of("/")));
    }

    @Test
    void imageIoNamesMapToOurFormatsOnly() {
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.ofImageIoName("JPEG"));
        assertEquals(Optional.of(ImageFormat.BMP), ImageFormat.ofImageIoName("bmp"));
        assertEquals(Optional.empty(), ImageFormat.ofImageIoName("wbmp"), "WBMP sniffs much random data as its own");
        assertEquals(Optional.empty(), ImageFormat.ofImageIoName("tif"));
    }

    @Test
    void messagesListEveryFormat() {
        assertEquals("JPEG, PNG, BMP or GIF", ImageFormat.names());
        assertEquals(".jpg, .jpeg, .png, .bmp or .gif", ImageFormat.fileExtensions());
        assertEquals("image/jpeg", ImageFormat.JPEG.mediaType());
    }
}
