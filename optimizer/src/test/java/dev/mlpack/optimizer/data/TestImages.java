package dev.mlpack.optimizer.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;

/** Tiny generated images for the data tests. */
final class TestImages {
    private TestImages() {}

    /** An 8x8 image of one colour, {@code 0xRRGGBB}; the format comes from the file extension. */
    static Path rgb(Path file, int rgb) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return write(file, image);
    }

    /** An 8x8 8-bit grayscale PNG of one gray value. */
    static Path gray(Path file, int value) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        int[] row = new int[8];
        Arrays.fill(row, value);
        for (int y = 0; y < 8; y++) {
            image.getRaster().setSamples(0, y, 8, 1, 0, row);
        }
        return write(file, image);
    }

    /** An 8x8 RGBA PNG of one colour {@code 0xAARRGGBB}. */
    static Path rgba(Path file, int argb) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, argb);
            }
        }
        return write(file, image);
    }

    /** A noisy 64x64 JPEG cut in half, as an interrupted download leaves it. */
    static Path truncatedJpeg(Path file) {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", bytes);
            byte[] full = bytes.toByteArray();
            Files.createDirectories(file.getParent());
            Files.write(file, Arrays.copyOf(full, full.length / 2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A text file, e.g. a README dropped among the images or a mislabelled non-image. */
    static Path text(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, BufferedImage image) {
        String name = file.getFileName().toString();
        String format = name.substring(name.lastIndexOf('.') + 1).toLowerCase();
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, file.toFile())) {
                throw new IllegalArgumentException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
