package dev.mlpack.packager;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * A {@code .tar.gz} whose bytes depend only on the files' relative paths, contents and executable bits: entries in
 * sorted path order with their parent folders, one fixed modification time, uid/gid 0 with no user or group
 * names, modes 0644/0755, POSIX (PAX) long names, and a gzip header with no file name, no time and a fixed OS
 * byte. The same inputs therefore give byte-identical archives, on any machine with the same JDK's deflater.
 */
public final class ReproducibleArchive {
    /** 2026-01-01T00:00:00Z, the project's fixed build timestamp ({@code project.build.outputTimestamp}). */
    public static final long MTIME_SECONDS = 1_767_225_600L;

    private ReproducibleArchive() {}

    /**
     * Writes {@code files} (relative paths under {@code root}) to {@code archive}. Paths use {@code /}; folders are
     * added for every parent. Files are stored at the archive's top level (no enclosing folder), so that extracting
     * into an empty folder gives the app's root, as Heroku lays out a slug.
     */
    public static void write(Path root, List<String> files, Path archive) {
        TreeMap<String, Path> entries = new TreeMap<>();
        TreeSet<String> folders = new TreeSet<>();
        for (String f : files) {
            String name = f.replace('\\', '/');
            entries.put(name, root.resolve(name));
            for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) folders.add(name.substring(0, i + 1));
        }
        GzipParameters gz = new GzipParameters();
        gz.setCompressionLevel(Deflater.BEST_COMPRESSION);
        gz.setModificationTime(0);
        gz.setOperatingSystem(255); // "unknown": not the OS that happened to write it
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16);
                GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(file, gz);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            // Folders first then files, each sorted, so that extraction never meets a file before its folder.
            TreeMap<String, Path> all = new TreeMap<>(entries);
            for (String d : folders) all.put(d, null);
            for (var e : all.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setModTime(MTIME_SECONDS * 1000);
                entry.setIds(0, 0);
                entry.setNames("", "");
                if (e.getValue() == null) {
                    entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE); // 040755
                    tar.putArchiveEntry(entry);
                } else {
                    Path p = e.getValue();
                    entry.setSize(Files.size(p));
                    entry.setMode(Files.isExecutable(p) && !Files.isDirectory(p) ? 0100755 : 0100644);
                    tar.putArchiveEntry(entry);
                    try (InputStream in = Files.newInputStream(p)) {
                        in.transferTo(tar);
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw PackageException.failed("cannot write " + archive + ": " + e.getMessage(), e);
        }
    }

    /** Extracts {@code archive} into {@code dir} (refusing entries that would land outside it); returns the file names. */
    public static List<String> extract(Path archive, Path dir) {
        List<String> names = new ArrayList<>();
        Path root = dir.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(archive);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) throw new IOException("entry " + e.getName() + " points outside the folder");
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(tar, target);
                if ((e.getMode() & 0100) != 0) target.toFile().setExecutable(true, false);
                names.add(e.getName());
            }
        } catch (IOException e) {
            throw PackageException.failed("cannot extract " + archive + ": " + e.getMessage(), e);
        }
        return names;
    }
}
