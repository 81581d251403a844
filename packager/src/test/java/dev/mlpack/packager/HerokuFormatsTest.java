package dev.mlpack.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every generated file against the format Heroku documents for it (Dev Center: "The Procfile", "Specifying a Java
 * version", "app.json Schema", "Building Docker Images with heroku.yml", "Container Registry & Runtime").
 */
class HerokuFormatsTest {
    /** "<process type>: <command>", one per line; process types are alphanumeric (with - and _). */
    static final Pattern PROCFILE_LINE = Pattern.compile("([A-Za-z0-9_-]+):[ \\t]*(\\S.*)");
    /** The top-level keys of Heroku's app.json schema. */
    static final Set<String> APP_JSON_KEYS = Set.of("name", "description", "keywords", "website", "repository", "logo", "success_url",
            "scripts", "env", "formation", "image", "addons", "buildpacks", "environments", "stack");
    static final Set<String> FORMATION_SIZES = Set.of("eco", "basic", "standard-1x", "standard-2x", "performance-m", "performance-l");

    static ArtifactFiles.Artifact artifact(Dyno dyno, Target target) {
        ModelFootprint model = new ModelFootprint(4_000_000, 3_500_000, 0, 2_000_000);
        return new ArtifactFiles.Artifact("potato-disease", target, JvmSizing.forDyno(dyno, model), 25,
                List.of("--model", "model.tflite", "--natives", "natives", "--workers", "1", "--model-name", "potato"), "potato-disease.tar.gz",
                "Model: 3 classes, 256x256 input.", "potato", true);
    }

    @ParameterizedTest
    @EnumSource(Dyno.class)
    void procfileHasOneWebLineThatRunsTheServerOnPort(Dyno dyno) {
        String procfile = ArtifactFiles.procfile(artifact(dyno, Target.HEROKU));
        assertTrue(procfile.endsWith("\n") && !procfile.contains("\r"), "LF line endings, final newline");
        List<String> lines = procfile.lines().toList();
        assertEquals(1, lines.size());
        Matcher m = PROCFILE_LINE.matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        assertEquals("web", m.group(1));
        String command = m.group(2);
        assertTrue(command.startsWith("java "), command);
        assertTrue(command.endsWith("--port $PORT"), "binds Heroku's $PORT: " + command);
        assertTrue(command.contains("-jar mlpack-server.jar --model model.tflite --natives natives"), command);
        assertFalse(command.contains("localhost") || command.contains("127.0.0.1"), "never binds loopback only");
        for (String flag : List.of("-Xmx", "-Xss", "-XX:MaxMetaspaceSize=", "-XX:ReservedCodeCacheSize=", "-XX:MaxDirectMemorySize=",
                "-XX:CompileThresholdScaling=10", "-Djava.locale.providers=SPI", "-XX:AOTCache=server.aot")) {
            assertTrue(command.contains(" " + flag), flag + " in " + command);
        }
        assertFalse(command.contains("TieredStopAtLevel"), "C2 compiles the crop-resize: " + command);
        assertTrue(command.indexOf("-XX:AOTCache=") < command.indexOf(" -jar "), "a JVM option: " + command);
    }

    @Test
    void theAotCacheIsTrainedWithTheServersOwnFlagsAndArguments() {
        ArtifactFiles.Artifact a = artifact(Dyno.STANDARD_1X, Target.HEROKU);
        String training = String.join(" ", ArtifactFiles.aotTrainingArgs(a));
        String web = ArtifactFiles.webCommand(a);
        // The JVM uses the cache only when started with the flags it was made with.
        assertTrue(web.startsWith("java " + String.join(" ", a.sizing().flags()) + " -XX:AOTCache=server.aot -jar mlpack-server.jar"), web);
        assertEquals(String.join(" ", a.sizing().flags()) + " -XX:AOTCacheOutput=server.aot -jar mlpack-server.jar "
                + String.join(" ", a.serverArgs()) + " --check", training);
        assertFalse(ArtifactFiles.webCommand(a.withoutAotCache()).contains("AOTCache"));
    }

    @Test
    void theReadmeShowsTfServingsCallsWithTheServedModelName() {
        String readme = ArtifactFiles.readme(artifact(Dyno.STANDARD_1X, Target.HEROKU), false);
        assertTrue(readme.contains("curl $URL/v1/models/potato "), readme);
        assertTrue(readme.contains("curl -d \"{\\\"instances\\\": [{\\\"b64\\\": \\\"$(base64 -w0 photo.jpg)\\\"}]}\" $URL/v1/models/potato:predict"),
                readme);
        assertTrue(readme.contains("$URL/v1/models/potato:predict\n# {\"outputs\""), "the columnar form too: " + readme);
    }

    @ParameterizedTest
    @EnumSource(Dyno.class)
    void theJvmsShareAndTheMarginLeaveMemoryForTheInterpretersOfEveryDyno(Dyno dyno) {
        JvmSizing s = artifact(dyno, Target.HEROKU).sizing();
        int jvm = dyno.heapMb + dyno.metaspaceMb + dyno.codeCacheMb + dyno.directMb + dyno.threads * dyno.stackKb / 1024 + dyno.jvmNativeMb;
        assertEquals((dyno.memoryMb() - jvm - dyno.memoryMb() / 10) * Sizes.MB, JvmSizing.interpreterBudgetBytes(dyno));
        assertTrue(JvmSizing.interpreterBudgetBytes(dyno) >= 100 * Sizes.MB, "room for a model: " + dyno);
        assertTrue(s.fits());
        assertTrue(s.estimatedPeakBytes() <= dyno.memoryBytes(), "estimate within the dyno: " + dyno);
        assertTrue(s.flags().contains("-Xmx" + dyno.heapMb + "m"));
    }

    @Test
    void documentedDynoMemory() {
        assertEquals(List.of(512, 512, 512, 1024, 2560, 14336), java.util.Arrays.stream(Dyno.values()).map(Dyno::memoryMb).toList());
        assertEquals(Dyno.STANDARD_2X, Dyno.parse("Standard-2X"));
        assertEquals("Performance-M", Dyno.PERFORMANCE_M.displayName());
        assertEquals(PackageException.Kind.BAD_INPUT, assertThrows(PackageException.class, () -> Dyno.parse("hobby")).kind());
    }

    @Test
    void workersShrinkToWhatTheMemoryHolds() {
        ModelFootprint big = new ModelFootprint(300 * Sizes.MB, 300 * Sizes.MB, 0, 20 * Sizes.MB);
        JvmSizing l = JvmSizing.forDyno(Dyno.PERFORMANCE_L, big);
        assertEquals(8, l.workers());
        JvmSizing m = JvmSizing.forDyno(Dyno.PERFORMANCE_M, big);
        assertEquals(2, m.workers());
        JvmSizing two = JvmSizing.forDyno(Dyno.STANDARD_2X, new ModelFootprint(150 * Sizes.MB, 150 * Sizes.MB, 0, 10 * Sizes.MB));
        assertEquals(1, two.workers(), "two workers would need 150 + 2 x 160 MB");
        assertFalse(JvmSizing.forDyno(Dyno.STANDARD_1X, big).fits());
    }

    @Test
    void systemPropertiesNamesTheJavaVersion() {
        String props = ArtifactFiles.systemProperties(artifact(Dyno.BASIC, Target.HEROKU));
        assertTrue(Pattern.compile("java\\.runtime\\.version=(?:(?:zulu|heroku)-)?\\d+(?:\\.\\d+)*\\n").matcher(props).matches(), props);
        assertEquals("java.runtime.version=25\n", props);
    }

    @ParameterizedTest
    @EnumSource(Dyno.class)
    void appJsonUsesOnlySchemaKeysWithTheJvmBuildpackAndTheDyno(Dyno dyno) throws Exception {
        Map<String, Object> json = JSON.std.mapFrom(ArtifactFiles.appJson(artifact(dyno, Target.HEROKU)));
        assertTrue(APP_JSON_KEYS.containsAll(json.keySet()), json.keySet().toString());
        assertEquals("potato-disease", json.get("name"));
        assertTrue(((String) json.get("description")).length() > 10);
        assertEquals(List.of(Map.of("url", "heroku/jvm")), json.get("buildpacks"));
        Map<?, ?> web = (Map<?, ?>) ((Map<?, ?>) json.get("formation")).get("web");
        assertEquals(1, ((Number) web.get("quantity")).intValue());
        assertEquals(dyno.cliName(), web.get("size"));
        assertTrue(FORMATION_SIZES.contains(web.get("size")));
    }

    @Test
    void herokuYmlBuildsTheWebProcessFromTheDockerfile() {
        Object yaml = new Yaml().load(ArtifactFiles.herokuYml(artifact(Dyno.BASIC, Target.HEROKU)));
        assertEquals(Map.of("build", Map.of("docker", Map.of("web", "Dockerfile"))), yaml);
    }

    /** Dockerfile instructions with their arguments (continuation lines joined, comments dropped). */
    static List<String[]> instructions(String dockerfile) {
        List<String[]> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.lines().toList()) {
            if (line.strip().startsWith("#") || line.isBlank()) continue;
            current.append(line.strip());
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
                continue;
            }
            String[] parts = current.toString().split("\\s+", 2);
            out.add(new String[] {parts[0].toUpperCase(java.util.Locale.ROOT), parts.length > 1 ? parts[1] : ""});
            current.setLength(0);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void dockerfileFollowsHerokusContainerRules(Target target) {
        String dockerfile = ArtifactFiles.dockerfile(artifact(Dyno.STANDARD_1X, target), false);
        List<String[]> ins = instructions(dockerfile);
        List<String> names = ins.stream().map(i -> i[0]).toList();
        assertEquals("FROM", names.get(0));
        assertTrue(ins.get(0)[1].matches("eclipse-temurin:\\d+\\.\\d+\\.\\d+_\\d+-jre-[a-z]+"), "a JRE image pinned by version: " + ins.get(0)[1]);
        for (String banned : List.of("EXPOSE", "VOLUME", "HEALTHCHECK")) assertFalse(names.contains(banned), banned);

        int user = names.lastIndexOf("USER");
        assertTrue(user > 0, "sets a USER");
        String u = ins.get(user)[1].split(":")[0];
        assertNotEquals("root", u);
        assertNotEquals("0", u);
        assertTrue(user > names.lastIndexOf("COPY"), "the files stay owned by root");

        assertEquals(1, names.stream().filter("CMD"::equals).count());
        String cmd = ins.get(names.indexOf("CMD"))[1];
        assertFalse(cmd.startsWith("["), "shell form, so that $PORT expands: " + cmd);
        assertTrue(cmd.contains("${PORT") || cmd.contains("$PORT"), cmd);
        assertTrue(cmd.startsWith("exec java "), "Java is PID 1 and receives SIGTERM: " + cmd);

        List<String> copies = ins.stream().filter(i -> i[0].equals("COPY")).map(i -> i[1]).toList();
        assertEquals(List.of("lib/ lib/", "natives/ natives/", "mlpack-server.jar ./", "model.tflite ./"), copies,
                "from the least to the most often changed: a model change rebuilds the last layer only");
        int run = names.indexOf("RUN");
        assertTrue(run > names.lastIndexOf("COPY") && run < user, "the AOT cache is made in the image, by its own Java, before USER");
        assertEquals("java " + String.join(" ", ArtifactFiles.aotTrainingArgs(artifact(Dyno.STANDARD_1X, target))), ins.get(run)[1]);
        assertTrue(ArtifactFiles.dockerignore(artifact(Dyno.STANDARD_1X, target)).lines().anyMatch("server.aot"::equals),
                "the package-time cache stays out of the image");
    }

    @Test
    void slugAndGitIgnoreKeepOutputsOutOfTheDeploy() {
        ArtifactFiles.Artifact a = artifact(Dyno.BASIC, Target.HEROKU);
        List<String> slug = ArtifactFiles.slugignore(a).lines().toList();
        assertTrue(slug.containsAll(List.of("README.md", "Dockerfile", "*.tar.gz", "report.json")), slug.toString());
        for (String kept : List.of("Procfile", "model.tflite", "mlpack-server.jar", "lib", "natives", "system.properties")) {
            assertFalse(slug.contains(kept), kept);
        }
        assertTrue(ArtifactFiles.gitignore(a).lines().toList().containsAll(List.of("potato-disease.tar.gz", "report.json")));
    }

    @Test
    void readmeHasTheDeployCommandsForBothPathsAndTheApi() {
        String readme = ArtifactFiles.readme(artifact(Dyno.STANDARD_1X, Target.HEROKU), false);
        for (String s : List.of("heroku create potato-disease --buildpack heroku/jvm", "git push heroku HEAD:main",
                "heroku create potato-disease --stack container", "heroku container:push web -a potato-disease",
                "heroku container:release web -a potato-disease", "/predict", "/ping", "Content-Type: image/jpeg", "Standard-1X dyno: 512 MB")) {
            assertTrue(readme.contains(s), s);
        }
        String docker = ArtifactFiles.readme(artifact(Dyno.STANDARD_1X, Target.DOCKER), false);
        assertTrue(docker.contains("docker run --rm -e PORT=8080 -p 8080:8080 potato-disease"));
        assertFalse(docker.contains("heroku create"));
    }

    @Test
    void appNames() {
        assertEquals("my-model-v2", ArtifactFiles.appNameFor("My_Model v2.tflite"));
        assertEquals("mlpack-2024", ArtifactFiles.appNameFor("2024.tflite"));
        assertTrue(ArtifactFiles.APP_NAME.matcher(ArtifactFiles.appNameFor("a-very-long-model-name-that-goes-on-and-on.tflite")).matches());
        assertEquals(PackageException.Kind.BAD_INPUT,
                assertThrows(PackageException.class, () -> ArtifactFiles.requireAppName("Bad_Name")).kind());
    }

    @Test
    void sizes() {
        assertEquals(500 * Sizes.MB, Sizes.parse("500MB", "--max-slug-size"));
        assertEquals(1536 * Sizes.MB, Sizes.parse("1.5g", "--max-slug-size"));
        assertEquals(300000, Sizes.parse("300000", "--max-slug-size"));
        assertEquals(PackageException.Kind.BAD_INPUT, assertThrows(PackageException.class, () -> Sizes.parse("lots", "--max-slug-size")).kind());
        assertEquals(PackageException.Kind.BAD_INPUT, assertThrows(PackageException.class, () -> Sizes.parse("0MB", "--max-slug-size")).kind());
    }
}
