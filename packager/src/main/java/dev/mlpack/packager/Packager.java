package dev.mlpack.packager;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.mlpack.runtime.metadata.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * {@code mlpack package}: writes the artifact folder (model, server, natives, platform files), archives it
 * reproducibly, holds it to the size budget, optionally builds a container image, and boots it to check it.
 * The folder appears whole or not at all: it is built beside {@code outDir} and renamed into place.
 */
public final class Packager {
    private Packager() {}

    public static PackageResult pack(PackageRequest r, Consumer<String> progress) {
        ModelFootprint footprint = ModelFootprint.of(r.model());
        ModelInfo info = requireMetadata(r.model());
        String name = r.name() != null ? ArtifactFiles.requireAppName(r.name())
                : ArtifactFiles.appNameFor(r.model().getFileName().toString());
        if (r.labels() != null && !Files.isRegularFile(r.labels())) throw PackageException.badInput("--labels " + r.labels() + " is not a file");
        List<Path> verify = r.verifyData() == null ? List.of() : VerifyImages.list(r.verifyData(), r.verifyLimit());
        Path outDir = r.outDir().toAbsolutePath().normalize();
        requireReplaceable(outDir);
        ServerDist dist = r.serverDist() != null ? r.serverDist() : ServerDist.locate();

        Path staging = null;
        try {
            Files.createDirectories(outDir.getParent());
            staging = Files.createTempDirectory(outDir.getParent(), "." + outDir.getFileName() + ".partial-");
            progress.accept("writing " + outDir + " (" + r.target().cliName() + ", " + r.dyno().cliName() + ")");
            Path jar = dist.copyTo(staging);
            String help = ServerDist.help(jar);
            if (r.labels() != null && !help.contains("--labels")) {
                throw new PackageException(PackageException.Kind.FAILED, "this server takes no --labels option: store the labels in the model"
                        + " (mlpack optimize --labels FILE)");
            }
            JvmSizing sizing = JvmSizing.forDyno(r.dyno(), footprint);
            List<String> serverArgs = new ArrayList<>(List.of("--model", ArtifactFiles.MODEL, "--natives", ArtifactFiles.NATIVES));
            // Pass the worker count the dyno's memory allows, where the server takes it: its default counts the cores it
            // sees, and a shared dyno shows the host's.
            if (help.contains("--workers")) serverArgs.addAll(List.of("--workers", Integer.toString(sizing.workers())));
            if (r.labels() != null) serverArgs.addAll(List.of("--labels", ArtifactFiles.LABELS));
            // The name TF Serving clients use (/v1/models/NAME): the app's, unless asked otherwise; the README shows it.
            String modelName = r.modelName() != null ? r.modelName() : name;
            if (help.contains("--model-name")) serverArgs.addAll(List.of("--model-name", modelName));
            String archiveName = name + ".tar.gz";
            // An AOT cache needs a server that can run its own training (--check).
            boolean aot = help.contains("--check");
            ArtifactFiles.Artifact a = new ArtifactFiles.Artifact(name, r.target(), sizing, r.javaVersion(), serverArgs, archiveName,
                    modelSummary(info), modelName, aot);
            Files.copy(r.model(), staging.resolve(ArtifactFiles.MODEL));
            if (r.labels() != null) Files.copy(r.labels(), staging.resolve(ArtifactFiles.LABELS));
            ServerDist.extractNatives(jar, staging.resolve(ArtifactFiles.NATIVES));
            if (aot) {
                progress.accept("training the JVM's AOT cache (" + ArtifactFiles.AOT_CACHE + "): one boot, /ping and /predict");
                ServerDist.runIn(staging, ArtifactFiles.aotTrainingArgs(a), 300, "make the AOT cache");
            }
            String command = r.target() == Target.HEROKU ? ArtifactFiles.webCommand(a) : ArtifactFiles.containerCommand(a);
            boolean labels = r.labels() != null;
            write(staging, "Dockerfile", ArtifactFiles.dockerfile(a, labels));
            write(staging, ".dockerignore", ArtifactFiles.dockerignore(a));
            write(staging, "README.md", ArtifactFiles.readme(a, labels));
            if (r.target() == Target.HEROKU) {
                write(staging, "Procfile", ArtifactFiles.procfile(a));
                write(staging, "system.properties", ArtifactFiles.systemProperties(a));
                write(staging, "app.json", ArtifactFiles.appJson(a));
                write(staging, "heroku.yml", ArtifactFiles.herokuYml(a));
                write(staging, ".slugignore", ArtifactFiles.slugignore(a));
                write(staging, ".gitignore", ArtifactFiles.gitignore(a));
            }
            List<String> files = relativeFiles(staging);
            Path archive = staging.resolve(archiveName);
            ReproducibleArchive.write(staging, files, archive);
            long archiveBytes = Files.size(archive);
            progress.accept("archived " + files.size() + " files: " + archiveName + " " + Sizes.format(archiveBytes));

            SizeBudget.Verdict verdict = SizeBudget.check(r.target(), archiveBytes, r.maxSlugBytes(), sizing, footprint,
                    () -> gzipSize(r.model()));
            if (!verdict.fits()) throw PackageException.badInput(verdict.failure());

            replace(outDir, staging);
            staging = null;
            Path finalArchive = outDir.resolve(archiveName);

            ContainerImage.Result image = null;
            if (r.image() != null) {
                progress.accept("building the container image " + r.image());
                image = ContainerImage.build(outDir, a, labels, r.image());
            }
            SelfCheck.Result check = null;
            if (r.selfCheck()) {
                check = SelfCheck.run(finalArchive, command, outDir.resolve(ArtifactFiles.MODEL), verify, sizing.dyno(), progress);
            }
            PackageResult result = new PackageResult(outDir, finalArchive, archiveBytes, verdict, sizing, command, check, image);
            writeReport(outDir.resolve(ArtifactFiles.REPORT), result);
            return result;
        } catch (IOException e) {
            throw PackageException.failed("cannot write " + outDir + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) SelfCheck.deleteTree(staging);
        }
    }

    /**
     * The server takes the model's labels, input scaling and resize from its mlpack metadata. A model from another
     * converter has none, and packaging it would ship a server that guesses how to scale pixels.
     */
    static ModelInfo requireMetadata(Path model) {
        Optional<ModelInfo> info;
        try {
            info = ModelInfo.read(model);
        } catch (IOException e) {
            throw PackageException.failed("cannot read " + model + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw PackageException.badInput(e.getMessage() + ": write the model again with mlpack optimize");
        }
        return info.orElseThrow(() -> PackageException.badInput(model + " carries no mlpack metadata, so how it scales its input"
                + " pixels is unknown: package the .tflite that mlpack optimize writes from the SavedModel"));
    }

    /** One line about the model from its metadata, for app.json and the README. */
    static String modelSummary(ModelInfo info) {
        StringBuilder sb = new StringBuilder("Model: ");
        sb.append(info.labels().isEmpty() ? "unlabelled outputs" : info.labels().size() + " classes");
        if (info.hasInputSize()) sb.append(", ").append(info.inputHeight()).append('x').append(info.inputWidth()).append(" input");
        return sb.append('.').toString();
    }

    /** The output folder may be new, empty, or an earlier artifact; anything else is kept and refused. */
    static void requireReplaceable(Path outDir) {
        if (Files.isRegularFile(outDir)) throw PackageException.badInput("-o " + outDir + " is a file: give a folder");
        if (!Files.isDirectory(outDir)) return;
        try (Stream<Path> s = Files.list(outDir)) {
            boolean empty = s.findAny().isEmpty();
            boolean artifact = Files.isRegularFile(outDir.resolve(ArtifactFiles.MODEL)) && Files.isRegularFile(outDir.resolve(ServerDist.JAR_NAME));
            if (!empty && !artifact) {
                throw PackageException.badInput("-o " + outDir + " is a folder that is neither empty nor an mlpack artifact: choose a new folder");
            }
        } catch (IOException e) {
            throw PackageException.failed("cannot read " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static void replace(Path outDir, Path staging) throws IOException {
        if (Files.isDirectory(outDir)) SelfCheck.deleteTree(outDir);
        Files.move(staging, outDir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static List<String> relativeFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /** The model's size once deflated (level 6), for the budget's "what would fit" estimates. */
    static long gzipSize(Path file) {
        long[] count = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) { count[0]++; }

            @Override
            public void write(byte[] b, int off, int len) { count[0] += len; }
        };
        try (InputStream in = Files.newInputStream(file);
                DeflaterOutputStream out = new DeflaterOutputStream(counter, new Deflater(6, true), 1 << 16)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw PackageException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        return count[0];
    }

    static void writeReport(Path file, PackageResult result) {
        try {
            String json = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(result.report()) + "\n";
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw PackageException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
