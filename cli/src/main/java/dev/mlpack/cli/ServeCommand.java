package dev.mlpack.cli;

import dev.mlpack.packager.ArtifactFiles;
import dev.mlpack.packager.Dyno;
import dev.mlpack.packager.JvmSizing;
import dev.mlpack.packager.PackageException;
import dev.mlpack.packager.ServerDist;
import dev.mlpack.server.Natives;
import dev.mlpack.server.ServerMain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mlpack serve MODEL.tflite [options]}: the inference server of the server module, the same code that runs from
 * the packaged artifact ({@code java -jar mlpack-server.jar MODEL.tflite}). Its options are parsed by {@link ServerMain}
 * (one list for both, so they cannot drift apart); {@link Main} passes them through.
 *
 * <p>The {@code mlpack} launcher does not run this command in the CLI's JVM: it starts the server jar itself, with the
 * JVM flags of a packaged Procfile, its extracted natives and an AOT cache, so that {@code mlpack serve} boots and uses
 * memory as the deployed server does. It prepares those once per build through {@value #LAUNCHER_SETUP} (see
 * {@link #setUpLauncher}).
 */
@Command(name = "serve",
        description = {"Serves a .tflite image classifier over HTTP until Ctrl-C: upload page at /, POST /predict, /ping,"
                + " /metrics, TF Serving's /v1/models/NAME. 'mlpack serve --help' lists the options."})
final class ServeCommand implements Callable<Integer> {
    /** {@code serve --launcher-setup DIR SERVER_JAR [server arguments]}: for the launcher only. */
    static final String LAUNCHER_SETUP = "--launcher-setup";
    /** The dyno whose Procfile flags {@code mlpack serve} runs with: the one {@code mlpack package} sizes for by default. */
    static final Dyno FLAGS_OF = Dyno.STANDARD_1X;

    /** The model and the server's options, untouched by picocli (see {@link Main#commandLine}). */
    @Parameters(arity = "0..*", paramLabel = "MODEL.tflite [options]")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (args.size() >= 3 && args.getFirst().equals(LAUNCHER_SETUP)) {
            return setUpLauncher(Path.of(args.get(1)), Path.of(args.get(2)), args.subList(3, args.size()), System.err);
        }
        return ServerMain.run(args.toArray(String[]::new), System.out, System.err, "mlpack serve MODEL.tflite");
    }

    /**
     * Writes into {@code dir} what the launcher runs {@code serverJar} with: {@code jvm.flags} (the Procfile's flags),
     * {@code natives/} (the extracted native libraries) and, when {@code serverArgs} name a model the server accepts,
     * {@code server.aot}, made by a training run ({@code --check}) with those flags and that jar. A failed training leaves
     * no cache (the server then boots without one) and is reported in one line; it never stops {@code mlpack serve}.
     */
    static int setUpLauncher(Path dir, Path serverJar, List<String> serverArgs, PrintStream err) {
        try {
            Files.createDirectories(dir);
            Natives.extract(dir.resolve("natives"));
            List<String> flags = JvmSizing.flags(FLAGS_OF);
            Path cache = dir.resolve("server.aot");
            Files.deleteIfExists(cache);
            if (serverArgs.stream().noneMatch(a -> a.equals("--help") || a.equals("-h"))) {
                List<String> args = new ArrayList<>(List.of("--natives", dir.resolve("natives").toString()));
                args.addAll(serverArgs);
                List<String> training = ArtifactFiles.aotTrainingArgs(flags, cache.toString(), serverJar.toString(), args);
                try {
                    err.println("mlpack: preparing 'mlpack serve' after a build: an AOT cache for the server (one boot, /ping and /predict)");
                    ServerDist.runIn(null, training, 300, "make the AOT cache");
                } catch (PackageException e) {
                    Files.deleteIfExists(cache);
                    err.println("mlpack: no AOT cache for the server, it boots without one: " + e.getMessage());
                }
            }
            // Written last: the launcher prepares again until this file is newer than the server jar.
            Files.writeString(dir.resolve("jvm.flags"), String.join(" ", flags) + "\n", StandardCharsets.UTF_8);
            return Main.OK;
        } catch (IOException e) {
            err.println("mlpack: cannot prepare " + dir + " for mlpack serve: " + e.getMessage() + " (make server/target writable)");
            return Main.BAD_INPUT;
        }
    }
}
