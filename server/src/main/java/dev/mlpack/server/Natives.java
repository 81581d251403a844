package dev.mlpack.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The native libraries the server needs (JavaCPP's and TFLite's JNI libraries for linux-x86_64), extracted
 * once into a folder at package time and loaded from there at run time, so that a server on a read-only
 * filesystem, as a user without a home folder, never needs JavaCPP's writable cache.
 *
 * <p>How JavaCPP finds them: with {@code org.bytedeco.javacpp.pathsFirst=true} its {@code Loader} first looks
 * for each library in the folders of {@code org.bytedeco.javacpp.platform.preloadpath} (and {@code
 * java.library.path}) and loads it from there with {@code System.load}, before trying to extract the copy in
 * the jar to its cache. Both properties are read when a library is loaded, so setting them before the first
 * TFLite class is touched is enough. {@code cacheDir} is pointed into the folder as well, so that if a library
 * were missing, JavaCPP fails on a clear path rather than writing to {@code ~/.javacpp}.
 */
public final class Natives {
    /** Classpath resources holding the libraries, relative to the jar root. */
    static final List<String> LIBRARIES = List.of(
            "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
            "org/bytedeco/tensorflowlite/linux-x86_64/libjnitensorflowlite.so",
            // libjpeg-turbo, for the runtime's JPEG decoding (loaded by path through the FFM API, not by JavaCPP)
            "org/bytedeco/leptonica/linux-x86_64/libleptonica.so.6");

    private Natives() {}

    /**
     * Writes the libraries into {@code dir} (created if needed); returns the files written.
     *
     * @throws IOException if a library is not on the classpath (not the linux-x86_64 build) or cannot be written
     */
    public static List<Path> extract(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (String resource : LIBRARIES) {
            Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            try (InputStream in = Natives.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) throw new IOException(resource + " is not on the classpath: this server build is not for linux-x86_64");
                Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            written.add(target);
        }
        return written;
    }

    /**
     * Makes JavaCPP load the libraries from {@code dir}; call before any TFLite class is used.
     *
     * @throws IOException if {@code dir} does not hold every library (run {@code --extract-natives DIR} first)
     */
    public static void useFolder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        for (String resource : LIBRARIES) {
            Path lib = abs.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            if (!Files.isRegularFile(lib)) {
                throw new IOException("--natives " + dir + " has no " + lib.getFileName()
                        + ": fill it with 'java -jar mlpack-server.jar --extract-natives " + dir + "'");
            }
        }
        System.setProperty("org.bytedeco.javacpp.pathsFirst", "true");
        System.setProperty("org.bytedeco.javacpp.platform.preloadpath", abs.toString());
        String libraryPath = System.getProperty("java.library.path", "");
        System.setProperty("java.library.path", libraryPath.isEmpty() ? abs.toString() : abs + java.io.File.pathSeparator + libraryPath);
        System.setProperty("org.bytedeco.javacpp.cacheDir", abs.toString());
    }
}
