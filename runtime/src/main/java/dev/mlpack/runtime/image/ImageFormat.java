package dev.mlpack.runtime.image;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The image formats mlpack reads, everywhere: the datasets of {@code optimize} and {@code evaluate}, the packager's
 * self-check images and the server's uploads. One list, so that a file one command accepts is never refused by another.
 * They are the formats Keras' directory loader reads.
 */
public enum ImageFormat {
    JPEG("image/jpeg", "jpg", "jpeg"),
    PNG("image/png", "png"),
    BMP("image/bmp", "bmp"),
    GIF("image/gif", "gif");

    private final String mediaType;
    private final List<String> extensions;

    ImageFormat(String mediaType, String... extensions) {
        this.mediaType = mediaType;
        this.extensions = List.of(extensions);
    }

    public String mediaType() {
        return mediaType;
    }

    /** Lower-case file name extensions, without the dot. */
    public List<String> extensions() {
        return extensions;
    }

    /** The format a file name's extension names (in any case), if it names one of ours. */
    public static Optional<ImageFormat> ofFileName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.extensions.contains(ext)).findFirst();
    }

    /** Whether the file's name says it is an image mlpack reads (the content is checked when it is decoded). */
    public static boolean isImageFile(Path file) {
        Path name = file.getFileName();
        return name != null && ofFileName(name.toString()).isPresent();
    }

    /** The format ImageIO calls {@code imageIoName} ("jpeg", "png", ...), if it is one of ours. */
    static Optional<ImageFormat> ofImageIoName(String imageIoName) {
        return Arrays.stream(values()).filter(f -> f.name().equalsIgnoreCase(imageIoName)).findFirst();
    }

    /** "JPEG, PNG, BMP or GIF", for messages. */
    public static String names() {
        return either(Arrays.stream(values()).map(Enum::name).toList());
    }

    /** ".jpg, .jpeg, .png, .bmp or .gif", for messages about files. */
    public static String fileExtensions() {
        return either(Arrays.stream(values()).flatMap(f -> f.extensions.stream()).map(e -> "." + e).toList());
    }

    private static String either(List<String> items) {
        return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.getLast();
    }
}
