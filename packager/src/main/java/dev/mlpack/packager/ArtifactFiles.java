package dev.mlpack.packager;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text of every generated file. Pure functions of the {@link Artifact} description, so the same inputs give the
 * same bytes (no dates, no absolute paths).
 */
public final class ArtifactFiles {
    public static final String MODEL = "model.tflite";
    public static final String LABELS = "labels.txt";
    public static final String NATIVES = "natives";
    public static final String LIB = "lib";
    public static final String REPORT = "report.json";
    /** The JVM's AOT cache (JDK 25, JEP 483/514/515): classes loaded and linked, and method profiles, from a training run. */
    public static final String AOT_CACHE = "server.aot";
    /** Heroku app names: lowercase letters, digits and dashes, starting with a letter, 3 to 30 characters. */
    static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{1,28}[a-z0-9]");
    /** The JRE image for Java 25, pinned to the release the project is built and tested with (Temurin 25.0.3+9). */
    public static final String BASE_IMAGE_25 = "eclipse-temurin:25.0.3_9-jre-noble";
    /** The user the container runs as: not root, and owning none of the image's files (they stay read-only). */
    public static final String CONTAINER_USER = "10001:10001";

    /**
     * What the files describe.
     *
     * @param name app name
     * @param target heroku or docker
     * @param sizing JVM flags and the memory arithmetic
     * @param javaVersion the feature release for {@code java.runtime.version} and the base image
     * @param serverArgs the server's flags after {@code -jar mlpack-server.jar}, without the port
     * @param archiveName the archive's file name (kept out of git and of the slug)
     * @param modelSummary one line about the model (classes, input), for the README
     * @param modelName the name the server answers to in TF Serving's paths ({@code /v1/models/NAME})
     * @param aotCache whether the command uses {@value #AOT_CACHE}, made at package time by a training run
     */
    public record Artifact(String name, Target target, JvmSizing sizing, int javaVersion, List<String> serverArgs,
            String archiveName, String modelSummary, String modelName, boolean aotCache) {
        public Artifact {
            serverArgs = List.copyOf(serverArgs);
        }

        /** The same artifact, run without the AOT cache (a container image whose Java is not the one that made it). */
        public Artifact withoutAotCache() {
            return new Artifact(name, target, sizing, javaVersion, serverArgs, archiveName, modelSummary, modelName, false);
        }
    }

    private ArtifactFiles() {}

    /** Checks an app name (Heroku's rule), as bad input naming the rule. */
    public static String requireAppName(String name) {
        if (name == null || !APP_NAME.matcher(name).matches()) {
            throw PackageException.badInput("--name '" + name + "' is not a valid Heroku app name: use 3 to 30 lowercase"
                    + " letters, digits and dashes, starting with a letter and not ending with a dash");
        }
        return name;
    }

    /** An app name made from a file name: {@code My_Model v2.tflite} becomes {@code my-model-v2}. */
    public static String appNameFor(String fileName) {
        String base = fileName.replaceFirst("\\.tflite$", "").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) base = "mlpack-" + base;
        if (base.length() > 30) base = base.substring(0, 30);
        base = base.replaceAll("-+$", "");
        while (base.length() < 3) base = base + "-app";
        return base;
    }

    /** {@code java FLAGS [-XX:AOTCache=server.aot] -jar mlpack-server.jar ARGS --port PORT} with the given port expression. */
    public static String serverCommand(Artifact a, String port) {
        List<String> words = new ArrayList<>();
        words.add("java");
        words.addAll(a.sizing().flags());
        if (a.aotCache()) words.add("-XX:AOTCache=" + AOT_CACHE);
        words.add("-jar");
        words.add(ServerDist.JAR_NAME);
        words.addAll(a.serverArgs());
        words.add("--port");
        words.add(port);
        return String.join(" ", words);
    }

    /**
     * The AOT cache's training run, after the JVM: the server's own flags (the cache is only used by a JVM started with
     * the same ones), writing {@value #AOT_CACHE}, and {@code --check}, which boots, answers /ping and one /predict, and
     * exits: the code real requests run.
     */
    public static List<String> aotTrainingArgs(Artifact a) {
        return aotTrainingArgs(a.sizing().flags(), AOT_CACHE, ServerDist.JAR_NAME, a.serverArgs());
    }

    /**
     * The training run that writes an AOT cache to {@code cache}: the server jar with {@code flags} and
     * {@code serverArgs}, booted once with {@code --check} (model load, {@code /ping}, {@code /predict}); also what
     * {@code mlpack serve} prepares its cache with.
     */
    public static List<String> aotTrainingArgs(List<String> flags, String cache, String jar, List<String> serverArgs) {
        List<String> words = new ArrayList<>(flags);
        words.add("-XX:AOTCacheOutput=" + cache);
        words.add("-jar");
        words.add(jar);
        words.addAll(serverArgs);
        words.add("--check");
        return words;
    }

    /** The Procfile's {@code web} command: Heroku always sets {@code PORT}. */
    public static String webCommand(Artifact a) { return serverCommand(a, "$PORT"); }

    /** The container's command: {@code exec} makes Java PID 1 so that it receives SIGTERM; 8080 outside Heroku. */
    public static String containerCommand(Artifact a) { return "exec " + serverCommand(a, "${PORT:-8080}"); }

    public static String procfile(Artifact a) { return "web: " + webCommand(a) + "\n"; }

    public static String systemProperties(Artifact a) { return "java.runtime.version=" + a.javaVersion() + "\n"; }

    public static String baseImage(int javaVersion) {
        return javaVersion == 25 ? BASE_IMAGE_25 : "eclipse-temurin:" + javaVersion + "-jre-noble";
    }

    /** app.json for the Heroku Button and {@code heroku create --manifest}: keys from Heroku's app.json schema. */
    public static String appJson(Artifact a) {
        Map<String, Object> web = new LinkedHashMap<>();
        web.put("quantity", 1);
        web.put("size", a.sizing().dyno().cliName());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", a.name());
        json.put("description", "Image classifier served by mlpack: POST an image to /predict. " + a.modelSummary());
        json.put("keywords", List.of("mlpack", "tflite", "image-classification"));
        json.put("formation", Map.of("web", web));
        json.put("buildpacks", List.of(Map.of("url", "heroku/jvm")));
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(json) + "\n";
        } catch (IOException e) {
            throw PackageException.failed("cannot write app.json: " + e.getMessage(), e);
        }
    }

    /** heroku.yml: build the web process from the Dockerfile (its CMD runs it). */
    public static String herokuYml(Artifact a) {
        return "build:\n  docker:\n    web: Dockerfile\n";
    }

    /**
     * The Dockerfile: a pinned JRE image; layers from the least to the most often changed (libraries, natives, the
     * server jar, then the model, so a new model rebuilds one small layer); a non-root numeric user; shell-form CMD
     * so that {@code $PORT} expands. No EXPOSE, VOLUME or HEALTHCHECK: Heroku ignores or rejects them.
     */
    public static String dockerfile(Artifact a, boolean labels) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(a.name()).append(": generated by mlpack package --target ").append(a.target().cliName()).append('\n');
        sb.append("FROM ").append(baseImage(a.javaVersion())).append('\n');
        sb.append("WORKDIR /app\n");
        sb.append("# From the least to the most often changed: a new model rebuilds only the last layer.\n");
        sb.append("COPY ").append(LIB).append("/ ").append(LIB).append("/\n");
        sb.append("COPY ").append(NATIVES).append("/ ").append(NATIVES).append("/\n");
        sb.append("COPY ").append(ServerDist.JAR_NAME).append(" ./\n");
        if (labels) sb.append("COPY ").append(LABELS).append(" ./\n");
        sb.append("COPY ").append(MODEL).append(" ./\n");
        if (a.aotCache()) {
            sb.append("# The JVM's AOT cache only serves the Java that made it: made here, by the image's own, in a training run.\n");
            sb.append("RUN java ").append(String.join(" ", aotTrainingArgs(a))).append('\n');
        }
        sb.append("# Not root; the files above stay owned by root, so the app cannot change them.\n");
        sb.append("USER ").append(CONTAINER_USER).append('\n');
        sb.append("# Shell form, so that $PORT (set by Heroku) expands; exec makes Java PID 1 so SIGTERM reaches it.\n");
        sb.append("CMD ").append(containerCommand(a)).append('\n');
        return sb.toString();
    }

    /** Files Heroku drops from the slug after the build: only the runtime is kept. */
    public static String slugignore(Artifact a) {
        return String.join("\n", "README.md", "Dockerfile", "heroku.yml", ".dockerignore", REPORT, "*.tar", "*.tar.gz") + "\n";
    }

    /** Files kept out of {@code git push}: the archive, the report and an image tarball are outputs, not sources. */
    public static String gitignore(Artifact a) {
        return String.join("\n", a.archiveName(), REPORT, "*.tar") + "\n";
    }

    /** Files kept out of the Docker build context. */
    public static String dockerignore(Artifact a) {
        List<String> lines = new ArrayList<>(List.of(a.archiveName(), REPORT, "*.tar", "*.tar.gz", "README.md", AOT_CACHE));
        if (a.target() == Target.HEROKU) lines.addAll(List.of("Procfile", "system.properties", "app.json", "heroku.yml", ".slugignore"));
        return String.join("\n", lines) + "\n";
    }

    /** The artifact's README: what is inside, the deploy commands for both paths, and how to call the API. */
    public static String readme(Artifact a, boolean labels) {
        String n = a.name();
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(n).append("\n\n");
        sb.append("An image classifier packaged by `mlpack package --target ").append(a.target().cliName()).append("`. ")
                .append(a.modelSummary()).append("\n\n");
        sb.append("| file | what |\n| --- | --- |\n");
        sb.append("| `").append(MODEL).append("` | the model, with its labels and preprocessing in its metadata |\n");
        if (labels) sb.append("| `").append(LABELS).append("` | class names, one per line (`--labels`) |\n");
        sb.append("| `").append(ServerDist.JAR_NAME).append("`, `").append(LIB).append("/` | the server and its libraries |\n");
        sb.append("| `").append(NATIVES).append("/` | the native libraries for linux-x86_64 (TFLite, libjpeg-turbo), extracted at package time |\n");
        if (a.aotCache()) {
            sb.append("| `").append(AOT_CACHE).append("` | the JVM's AOT cache (loaded, linked classes and profiles) from a training run at package time:"
                    + " boot in a fraction of the time. Only a JVM of the same build uses it; another says so in one line and boots without it |\n");
        }
        if (a.target() == Target.HEROKU) {
            sb.append("| `Procfile`, `system.properties`, `app.json`, `.slugignore` | Heroku with the JVM buildpack |\n");
            sb.append("| `Dockerfile`, `heroku.yml` | Heroku's container stack or registry, or any container platform |\n");
        } else {
            sb.append("| `Dockerfile`, `.dockerignore` | any container platform |\n");
        }
        sb.append("| `").append(a.archiveName()).append("` | all of the above, reproducibly archived (not deployed) |\n\n");

        sb.append("## Run it locally\n\n```bash\n");
        sb.append("PORT=8080 sh -c '").append(webCommand(a).replace("'", "'\\''")).append("'\n```\n\n");
        if (a.target() == Target.HEROKU) {
            sb.append("## Deploy with git push (JVM buildpack)\n\n```bash\n");
            sb.append("git init && git add -A && git commit -m \"").append(n).append("\"\n");
            sb.append("heroku create ").append(n).append(" --buildpack heroku/jvm\n");
            sb.append("git push heroku HEAD:main\n");
            sb.append("heroku ps:scale web=1:").append(a.sizing().dyno().cliName()).append('\n');
            sb.append("```\n\n");
            sb.append("## Deploy as a container\n\nWith `heroku.yml` (Heroku builds the Dockerfile):\n\n```bash\n");
            sb.append("git init && git add -A && git commit -m \"").append(n).append("\"\n");
            sb.append("heroku create ").append(n).append(" --stack container\n");
            sb.append("git push heroku HEAD:main\n```\n\n");
            sb.append("Or through the container registry (needs Docker):\n\n```bash\n");
            sb.append("heroku container:login\n");
            sb.append("heroku container:push web -a ").append(n).append('\n');
            sb.append("heroku container:release web -a ").append(n).append("\n```\n\n");
            sb.append("An image tarball made with `mlpack package --image FILE.tar` is pushed the same way:\n\n```bash\n");
            sb.append("docker load -i FILE.tar\n");
            sb.append("docker tag ").append(n).append(":latest registry.heroku.com/").append(n).append("/web\n");
            sb.append("docker push registry.heroku.com/").append(n).append("/web\n");
            sb.append("heroku container:release web -a ").append(n).append("\n```\n\n");
        } else {
            sb.append("## Build and run the container\n\n```bash\n");
            sb.append("docker build -t ").append(n).append(" .\n");
            sb.append("docker run --rm -e PORT=8080 -p 8080:8080 ").append(n).append("\n```\n\n");
        }
        sb.append("## Call the API\n\n```bash\n");
        String url = a.target() == Target.HEROKU ? "https://YOUR-APP.herokuapp.com" : "http://localhost:8080";
        sb.append("URL=").append(url).append(a.target() == Target.HEROKU ? "   # heroku apps:info -a " + n + " shows the web URL" : "")
                .append('\n');
        sb.append("curl $URL/ping                                     # {\"status\":\"ok\"}\n");
        sb.append("curl -H 'Content-Type: image/jpeg' --data-binary @photo.jpg \"$URL/predict?top_k=3\"\n");
        sb.append("# {\"predictions\":[{\"label\":\"...\",\"index\":0,\"score\":0.93},...]}\n```\n\n");
        String m = a.modelName();
        sb.append("TensorFlow Serving's REST API, as its documentation shows it, with the model name `").append(m).append("`:\n\n```bash\n");
        sb.append("curl $URL/v1/models/").append(m).append("                 # status\n");
        sb.append("curl $URL/v1/models/").append(m).append("/metadata        # signature\n");
        sb.append("curl -d \"{\\\"instances\\\": [{\\\"b64\\\": \\\"$(base64 -w0 photo.jpg)\\\"}]}\" $URL/v1/models/").append(m).append(":predict\n");
        sb.append("# {\"predictions\":[[0.01,0.93,...]]}: one row of scores per instance, in the model's output order\n");
        sb.append("curl -d \"{\\\"inputs\\\": [{\\\"b64\\\": \\\"$(base64 -w0 photo.jpg)\\\"}]}\" $URL/v1/models/").append(m).append(":predict\n");
        sb.append("# {\"outputs\":[[0.01,0.93,...]]}: the columnar form\n```\n\n");
        sb.append("## Memory\n\nThe JVM flags are sized for the ").append(a.sizing().dyno().displayName()).append(" dyno:\n\n```\n");
        for (String line : a.sizing().arithmetic()) sb.append(line).append('\n');
        sb.append("```\n");
        return sb.toString();
    }
}
