package dev.mlpack.packager;

import com.fasterxml.jackson.jr.ob.JSON;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.image.json.V22ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code --image FILE.tar}: the artifact as a container image, built with Jib core, without a Docker daemon and
 * without a registry.
 *
 * <p>No registry is needed for the base: the image starts from scratch and carries its own Java runtime, a JRE
 * made by {@code jlink} of the JDK running mlpack (only the modules the server uses, found by {@code jdeps}), the
 * shared libraries that the JRE, the TFLite natives and {@code /bin/sh} load (found by {@code ldd} on this machine),
 * a {@code /bin/sh} for the {@code $PORT} expansion, and {@code /etc/passwd} naming the non-root user. The app's
 * layers follow in the Dockerfile's order (libraries, natives, server, model).
 *
 * <p>The tarball is both a {@code docker load} archive ({@code manifest.json}) and an OCI image layout
 * ({@code index.json}, {@code blobs/sha256/}) whose manifest is a Docker Image Manifest V2, Schema 2 (the only one
 * Heroku's registry accepts): the manifest Jib computes for {@link ImageFormat#Docker}, whose digest is checked
 * against the one Jib reports.
 */
public final class ContainerImage {
    public static final String MANIFEST_MEDIA_TYPE = V22ManifestTemplate.MANIFEST_MEDIA_TYPE;
    static final String JAVA_HOME = "/opt/java";
    static final Instant MTIME = Instant.ofEpochSecond(ReproducibleArchive.MTIME_SECONDS);
    /** JRE libraries a headless server never loads (X11 windows, sound): their system libraries stay out. */
    static final java.util.Set<String> HEADLESS_UNUSED = java.util.Set.of("libawt_xawt.so", "libjawt.so", "libjsound.so", "libsplashscreen.so");

    /**
     * The image written.
     *
     * @param path the tarball
     * @param bytes its size
     * @param manifestDigest {@code sha256:...} of the schema 2 manifest (the image's digest in a registry)
     * @param manifestMediaType the manifest's media type
     * @param user the user the config runs as
     * @param base what the image starts from
     * @param layers the layers' names, bottom first
     */
    public record Result(Path path, long bytes, String manifestDigest, String manifestMediaType, String user, String base,
            List<String> layers) {
        public Result {
            layers = List.copyOf(layers);
        }
    }

    private ContainerImage() {}

    /** Builds the image of the artifact in {@code dir} into {@code tar}. */
    public static Result build(Path dir, ArtifactFiles.Artifact a, boolean labels, Path tar) {
        System.setProperty("jib.disableUpdateChecks", "true");
        Path work = null;
        try {
            work = Files.createTempDirectory("mlpack-image-");
            Path jre = jlink(dir, work.resolve("jre"));
            List<String> layerNames = new ArrayList<>();
            JibContainerBuilder b = Jib.fromScratch().setFormat(ImageFormat.Docker).setCreationTime(Instant.EPOCH);
            b.addFileEntriesLayer(systemLayer(work, jre, dir));
            layerNames.add("system: /bin/sh, shared libraries, /etc/passwd");
            b.addFileEntriesLayer(treeLayer("jre", jre, AbsoluteUnixPath.get(JAVA_HOME)));
            layerNames.add("jre: " + JAVA_HOME);
            b.addFileEntriesLayer(treeLayer("lib", dir.resolve(ArtifactFiles.LIB), AbsoluteUnixPath.get("/app/" + ArtifactFiles.LIB)));
            layerNames.add("lib");
            b.addFileEntriesLayer(treeLayer("natives", dir.resolve(ArtifactFiles.NATIVES), AbsoluteUnixPath.get("/app/" + ArtifactFiles.NATIVES)));
            layerNames.add("natives");
            FileEntriesLayer.Builder server = FileEntriesLayer.builder().setName("server");
            server.addEntry(dir.resolve(ServerDist.JAR_NAME), AbsoluteUnixPath.get("/app/" + ServerDist.JAR_NAME), FilePermissions.DEFAULT_FILE_PERMISSIONS, MTIME);
            if (labels) server.addEntry(dir.resolve(ArtifactFiles.LABELS), AbsoluteUnixPath.get("/app/" + ArtifactFiles.LABELS), FilePermissions.DEFAULT_FILE_PERMISSIONS, MTIME);
            b.addFileEntriesLayer(server.build());
            layerNames.add("server");
            b.addFileEntriesLayer(FileEntriesLayer.builder().setName("model").addEntry(dir.resolve(ArtifactFiles.MODEL),
                    AbsoluteUnixPath.get("/app/" + ArtifactFiles.MODEL), FilePermissions.DEFAULT_FILE_PERMISSIONS, MTIME).build());
            layerNames.add("model");
            b.setEnvironment(new TreeMap<>(Map.of("PATH", JAVA_HOME + "/bin:/usr/bin:/bin", "JAVA_HOME", JAVA_HOME,
                    "LD_LIBRARY_PATH", JAVA_HOME + "/lib:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu")));
            b.setWorkingDirectory(AbsoluteUnixPath.get("/app"));
            b.setUser(ArtifactFiles.CONTAINER_USER);
            b.setEntrypoint(List.of("/bin/sh", "-c"));
            // Its Java is jlinked here, not the one that made server.aot, which it would refuse (BENCHMARKS.md).
            b.setProgramArguments(List.of(ArtifactFiles.containerCommand(a.withoutAotCache())));

            Path jibTar = work.resolve("jib.tar");
            String ref = a.name() + ":latest";
            JibContainer container = b.containerize(Containerizer.to(TarImage.at(jibTar).named(ref))
                    .setApplicationLayersCache(work.resolve("cache")).setBaseImageLayersCache(work.resolve("base-cache"))
                    .setOfflineMode(true).setToolName("mlpack"));
            String digest = repack(jibTar, ref, container.getDigest(), tar);
            return new Result(tar, Files.size(tar), digest, MANIFEST_MEDIA_TYPE, ArtifactFiles.CONTAINER_USER,
                    "scratch + jlink JRE (" + Runtime.version() + ") + this machine's shared libraries", layerNames);
        } catch (IOException | ExecutionException e) {
            throw PackageException.failed("cannot build the container image: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PackageException.failed("interrupted", e);
        } catch (Exception e) { // Jib's registry and cache exceptions: not expected offline from scratch
            throw PackageException.failed("cannot build the container image: " + e, e);
        } finally {
            if (work != null) SelfCheck.deleteTree(work);
        }
    }

    // ---- base: JRE and system files ------------------------------------------------------------------------------

    /** A JRE with the modules the server's jars use ({@code jdeps}), made by {@code jlink} of the running JDK. */
    static Path jlink(Path dir, Path out) throws IOException, InterruptedException {
        Path bin = ServerDist.currentJava().getParent();
        List<String> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.resolve(ArtifactFiles.LIB))) {
            s.sorted().forEach(p -> jars.add(p.toString()));
        }
        String modules = run(List.of(bin.resolve("jdeps").toString(), "--multi-release", Integer.toString(Runtime.version().feature()),
                "--ignore-missing-deps", "--print-module-deps", "--class-path", String.join(":", jars),
                dir.resolve(ServerDist.JAR_NAME).toString()), "jdeps").strip();
        // Always: the HTTP server, Unsafe for JavaCPP, ImageIO for decoding, and the zip filesystem.
        TreeSet<String> all = new TreeSet<>(List.of(modules.split(",")));
        all.addAll(List.of("java.base", "java.desktop", "jdk.httpserver", "jdk.unsupported", "java.management", "java.naming"));
        all.remove("");
        run(List.of(bin.resolve("jlink").toString(), "--add-modules", String.join(",", all), "--strip-debug", "--no-man-pages",
                "--no-header-files", "--output", out.toString()), "jlink");
        return out;
    }

    /** /bin/sh, the shared libraries the JRE, the natives and the shell need, /etc/passwd and /etc/group, /tmp. */
    static FileEntriesLayer systemLayer(Path work, Path jre, Path dir) throws IOException, InterruptedException {
        Path shell = Path.of("/bin/sh").toRealPath();
        List<Path> elves = new ArrayList<>(List.of(shell, jre.resolve("bin/java")));
        for (Path root : List.of(jre.resolve("lib"), dir.resolve(ArtifactFiles.NATIVES))) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches(".*\\.so(\\.[0-9.]+)?"))
                        .filter(p -> !HEADLESS_UNUSED.contains(p.getFileName().toString())).sorted().forEach(elves::add);
            }
        }
        TreeMap<String, Path> libs = new TreeMap<>();
        for (Path elf : elves) {
            for (String line : run(List.of("ldd", elf.toString()), null).split("\\R")) {
                String l = line.strip();
                String path = l.contains("=>") ? l.substring(l.indexOf("=>") + 2).strip() : l;
                int paren = path.indexOf(" (");
                if (paren >= 0) path = path.substring(0, paren).strip();
                if (!path.startsWith("/") || !Files.isRegularFile(Path.of(path))) continue;
                Path real = Path.of(path).toRealPath();
                // The JRE's and the natives' own libraries are in their layers already.
                if (real.startsWith(jre.toRealPath()) || real.startsWith(dir.toRealPath())) continue;
                libs.put(Path.of(path).normalize().toString(), real);
            }
        }
        Path etc = Files.createDirectories(work.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nmlpack:x:10001:10001:mlpack:/tmp:/bin/sh\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nmlpack:x:10001:\n");
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("system");
        FilePermissions exec = FilePermissions.fromOctalString("755");
        layer.addEntry(shell, AbsoluteUnixPath.get("/bin/sh"), exec, MTIME);
        for (var e : libs.entrySet()) layer.addEntry(e.getValue(), AbsoluteUnixPath.get(e.getKey()), exec, MTIME);
        layer.addEntry(etc.resolve("passwd"), AbsoluteUnixPath.get("/etc/passwd"), FilePermissions.DEFAULT_FILE_PERMISSIONS, MTIME);
        layer.addEntry(etc.resolve("group"), AbsoluteUnixPath.get("/etc/group"), FilePermissions.DEFAULT_FILE_PERMISSIONS, MTIME);
        layer.addEntry(tmp, AbsoluteUnixPath.get("/tmp"), FilePermissions.fromOctalString("777"), MTIME);
        return layer.build();
    }

    /** Every file under {@code root} at the same relative path under {@code target}, executables kept executable. */
    static FileEntriesLayer treeLayer(String name, Path root, AbsoluteUnixPath target) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                FilePermissions perm = Files.isExecutable(p) ? FilePermissions.fromOctalString("755") : FilePermissions.DEFAULT_FILE_PERMISSIONS;
                layer.addEntry(p, target.resolve(rel), perm, MTIME);
            }
        }
        return layer.build();
    }

    private static String run(List<String> cmd, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish");
        }
        if (what != null && p.exitValue() != 0) throw new IOException(what + " failed: " + ServerDist.lastLine(out));
        return out;
    }

    // ---- the tarball ---------------------------------------------------------------------------------------------

    /**
     * Rewrites Jib's {@code docker load} tarball as an OCI layout holding the schema 2 manifest, keeping a
     * {@code manifest.json} for {@code docker load}. Returns the manifest's digest.
     */
    static String repack(Path jibTar, String ref, DescriptorDigest jibDigest, Path out) throws IOException, DigestException {
        Map<String, byte[]> small = new LinkedHashMap<>();
        Path blobs = Files.createTempDirectory(jibTar.getParent(), "blobs");
        List<String> layerFiles = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(jibTar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isDirectory()) continue;
                if (e.getName().endsWith(".json")) small.put(e.getName(), in.readAllBytes());
                else Files.copy(in, blobs.resolve(e.getName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<?> loadManifest = JSON.std.listFrom(small.get("manifest.json"));
        Map<?, ?> entry = (Map<?, ?>) loadManifest.get(0);
        byte[] config = small.get((String) entry.get("Config"));
        for (Object l : (List<?>) entry.get("Layers")) layerFiles.add((String) l);

        V22ManifestTemplate manifest = new V22ManifestTemplate();
        String configHash = sha256(config);
        manifest.setContainerConfiguration(config.length, DescriptorDigest.fromHash(configHash));
        List<String> layerHashes = new ArrayList<>();
        for (String f : layerFiles) {
            Path blob = blobs.resolve(f);
            String hash = sha256(blob);
            layerHashes.add(hash);
            manifest.addLayer(Files.size(blob), DescriptorDigest.fromHash(hash));
        }
        byte[] manifestBytes = JsonTemplateMapper.toByteArray(manifest);
        String manifestHash = sha256(manifestBytes);
        if (!("sha256:" + manifestHash).equals(jibDigest.toString())) {
            throw new IOException("the schema 2 manifest's digest sha256:" + manifestHash + " differs from Jib's " + jibDigest);
        }

        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("mediaType", MANIFEST_MEDIA_TYPE);
        desc.put("digest", "sha256:" + manifestHash);
        desc.put("size", manifestBytes.length);
        desc.put("annotations", new TreeMap<>(Map.of("io.containerd.image.name", ref, "org.opencontainers.image.ref.name",
                ref.substring(ref.indexOf(':') + 1))));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", List.of(desc));
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("Config", "blobs/sha256/" + configHash);
        load.put("RepoTags", List.of(ref));
        load.put("Layers", layerHashes.stream().map(h -> "blobs/sha256/" + h).toList());

        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            putDir(tar, "blobs/");
            putDir(tar, "blobs/sha256/");
            putBytes(tar, "blobs/sha256/" + configHash, config);
            for (int i = 0; i < layerFiles.size(); i++) {
                Path blob = blobs.resolve(layerFiles.get(i));
                TarArchiveEntry e = entry("blobs/sha256/" + layerHashes.get(i));
                e.setSize(Files.size(blob));
                tar.putArchiveEntry(e);
                Files.copy(blob, tar);
                tar.closeArchiveEntry();
            }
            putBytes(tar, "blobs/sha256/" + manifestHash, manifestBytes);
            putBytes(tar, "index.json", JSON.std.asBytes(index));
            putBytes(tar, "manifest.json", JSON.std.asBytes(List.of(load)));
            putBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            tar.finish();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        SelfCheck.deleteTree(blobs);
        return "sha256:" + manifestHash;
    }

    private static TarArchiveEntry entry(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setModTime(ReproducibleArchive.MTIME_SECONDS * 1000);
        e.setIds(0, 0);
        e.setNames("", "");
        e.setMode(name.endsWith("/") ? TarArchiveEntry.DEFAULT_DIR_MODE : 0100644);
        return e;
    }

    private static void putDir(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(entry(name));
        tar.closeArchiveEntry();
    }

    private static void putBytes(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = entry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
