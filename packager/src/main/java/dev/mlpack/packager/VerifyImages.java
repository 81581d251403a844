package dev.mlpack.packager;

import dev.mlpack.runtime.image.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** The self-check's images: a folder of images, or of class subfolders, taken in turn from each class, sorted. */
final class VerifyImages {
    private VerifyImages() {}

    static List<Path> list(Path data, int limit) {
        if (!Files.isDirectory(data)) throw PackageException.badInput("--verify-data " + data + " is not a folder of images");
        try {
            List<List<Path>> groups = new ArrayList<>();
            List<Path> top = images(data);
            if (!top.isEmpty()) groups.add(top);
            try (Stream<Path> s = Files.list(data)) {
                for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                    List<Path> imgs = images(d);
                    if (!imgs.isEmpty()) groups.add(imgs);
                }
            }
            List<Iterator<Path>> its = groups.stream().map(List::iterator).toList();
            List<Path> out = new ArrayList<>();
            boolean any = true;
            while (out.size() < limit && any) {
                any = false;
                for (Iterator<Path> it : its) {
                    if (it.hasNext() && out.size() < limit) {
                        out.add(it.next());
                        any = true;
                    }
                }
            }
            if (out.isEmpty()) throw PackageException.badInput("--verify-data " + data + " holds no images (" + ImageFormat.fileExtensions() + ")");
            return out;
        } catch (IOException e) {
            throw PackageException.failed("cannot list " + data + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFormat::isImageFile).sorted().toList();
        }
    }

    /** The media type its name says; only called for the files {@link #list} returned. */
    static String contentType(Path p) {
        return ImageFormat.ofFileName(p.getFileName().toString()).orElseThrow().mediaType();
    }
}
