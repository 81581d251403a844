package dev.mlpack.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.packager.testing.FakeServerDist;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --image}: the tarball's manifest is Docker v2 schema 2 and its config runs the server as a non-root user. */
class ContainerImageTest {
    static final String SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json";
    @TempDir static Path tmp;
    static PackageResult result;
    static Map<String, byte[]> entries = new HashMap<>();

    @BeforeAll
    static void build() throws Exception {
        Path image = tmp.resolve("image.tar");
        result = Packager.pack(PackageRequest.builder(PackagerTest.TINY, tmp.resolve("app")).name("tiny-image").image(image)
                .selfCheck(false).serverDist(FakeServerDist.get()).build(), s -> { });
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(image))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) if (!e.isDirectory()) entries.put(e.getName(), in.readAllBytes());
        }
    }

    static Map<String, Object> json(String name) throws Exception {
        return JSON.std.mapFrom(entries.get(name));
    }

    @Test
    void theManifestIsDockerV2Schema2AndItsDigestsMatchTheBlobs() throws Exception {
        Map<String, Object> index = json("index.json");
        Map<?, ?> desc = (Map<?, ?>) ((List<?>) index.get("manifests")).get(0);
        assertEquals(SCHEMA2, desc.get("mediaType"));
        String manifestName = "blobs/sha256/" + ((String) desc.get("digest")).substring(7);
        byte[] manifestBytes = entries.get(manifestName);
        assertEquals(((Number) desc.get("size")).intValue(), manifestBytes.length);
        assertEquals(desc.get("digest"), "sha256:" + ContainerImage.sha256(manifestBytes));
        assertEquals(result.image().manifestDigest(), desc.get("digest"));

        Map<String, Object> manifest = JSON.std.mapFrom(manifestBytes);
        assertEquals(2, manifest.get("schemaVersion"));
        assertEquals(SCHEMA2, manifest.get("mediaType"));
        Map<?, ?> config = (Map<?, ?>) manifest.get("config");
        assertEquals("application/vnd.docker.container.image.v1+json", config.get("mediaType"));
        List<?> layers = (List<?>) manifest.get("layers");
        assertEquals(6, layers.size(), "system, jre, lib, natives, server, model");
        for (Object o : layers) {
            Map<?, ?> l = (Map<?, ?>) o;
            assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip", l.get("mediaType"));
            byte[] blob = entries.get("blobs/sha256/" + ((String) l.get("digest")).substring(7));
            assertEquals(((Number) l.get("size")).intValue(), blob.length);
            assertEquals(l.get("digest"), "sha256:" + ContainerImage.sha256(blob));
        }
        // docker load reads manifest.json: the same config and layers.
        Map<?, ?> load = (Map<?, ?>) JSON.std.listFrom(entries.get("manifest.json")).get(0);
        assertEquals("blobs/sha256/" + ((String) config.get("digest")).substring(7), load.get("Config"));
        assertEquals(List.of("tiny-image:latest"), load.get("RepoTags"));
        assertEquals(layers.stream().map(l -> "blobs/sha256/" + ((String) ((Map<?, ?>) l).get("digest")).substring(7)).toList(), load.get("Layers"));
        assertTrue(entries.containsKey("oci-layout"));
    }

    @Test
    void theConfigRunsTheServerAsANonRootUserOnPort() throws Exception {
        Map<?, ?> load = (Map<?, ?>) JSON.std.listFrom(entries.get("manifest.json")).get(0);
        Map<String, Object> image = JSON.std.mapFrom(entries.get((String) load.get("Config")));
        assertEquals("linux", image.get("os"));
        assertEquals("amd64", image.get("architecture"));
        Map<?, ?> config = (Map<?, ?>) image.get("config");
        String user = (String) config.get("User");
        assertEquals("10001:10001", user);
        assertNotEquals("0", user.split(":")[0]);
        assertEquals(List.of("/bin/sh", "-c"), config.get("Entrypoint"));
        String cmd = (String) ((List<?>) config.get("Cmd")).get(0);
        assertTrue(cmd.startsWith("exec java ") && cmd.endsWith("--port ${PORT:-8080}"), cmd);
        assertEquals("/app", config.get("WorkingDir"));
        Object ports = config.get("ExposedPorts");
        assertTrue(ports == null || ((Map<?, ?>) ports).isEmpty(), "no EXPOSE");
        Object volumes = config.get("Volumes");
        assertTrue(volumes == null || ((Map<?, ?>) volumes).isEmpty(), "no VOLUME");
        assertFalse(config.containsKey("Healthcheck"));
    }

    @Test
    void theLastLayerHoldsOnlyTheModelAndTheImageHasAShellAJavaAndThePasswdEntry() throws Exception {
        Map<?, ?> load = (Map<?, ?>) JSON.std.listFrom(entries.get("manifest.json")).get(0);
        List<?> layers = (List<?>) load.get("Layers");
        assertEquals(List.of("app/", "app/model.tflite"), files(entries.get((String) layers.get(layers.size() - 1))));
        List<String> system = files(entries.get((String) layers.get(0)));
        assertTrue(system.contains("bin/sh") && system.contains("etc/passwd") && system.contains("lib64/ld-linux-x86-64.so.2"), system.toString());
        assertTrue(files(entries.get((String) layers.get(1))).contains("opt/java/bin/java"));
        String passwd = new String(content(entries.get((String) layers.get(0)), "etc/passwd"));
        assertTrue(passwd.contains(":10001:10001:"), passwd);
    }

    static List<String> files(byte[] layer) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(new java.io.ByteArrayInputStream(layer)))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) names.add(e.getName());
        }
        return names;
    }

    static byte[] content(byte[] layer, String name) throws Exception {
        try (InputStream raw = new java.io.ByteArrayInputStream(layer);
                TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) if (e.getName().equals(name)) return in.readAllBytes();
        }
        return new byte[0];
    }
}
