package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.packager.Dyno;
import dev.mlpack.packager.PackageException;
import dev.mlpack.packager.PackageRequest;
import dev.mlpack.packager.PackageResult;
import dev.mlpack.packager.Packager;
import dev.mlpack.packager.Sizes;
import dev.mlpack.packager.Target;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mlpack package}: a deployable, size-budgeted, self-checked artifact for Heroku or any container platform. */
@Command(name = "package",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Packages a .tflite with the inference server for Heroku (git push with the JVM buildpack, or a container)"
                + " or any container platform: model, server jar, natives, Procfile sized for the dyno, system.properties,"
                + " app.json, Dockerfile, heroku.yml, README, and a reproducible NAME.tar.gz. Holds it to the slug budget,"
                + " then boots it as the Procfile says and checks /ping, memory and /predict."},
        footerHeading = "%nExample:%n",
        footer = "  mlpack package out/sample-int8.tflite --target heroku -o out/sample-app --verify-data samples/images")
final class PackageCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .tflite to serve (made by mlpack optimize, with its metadata).")
    Path model;

    @Option(names = "--target", paramLabel = "heroku|docker", defaultValue = "heroku",
            description = "heroku (default): buildpack and container files; docker: the same without the Heroku files.")
    Target target;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The artifact folder: new, empty, or an earlier artifact (replaced).")
    Path outDir;

    @Option(names = "--name", paramLabel = "NAME", description = "App name (3-30 of a-z, 0-9, -). Default: from the model's file name.")
    String name;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names to ship beside the model, one per line. Default: the model's metadata.")
    Path labels;

    @Option(names = "--dyno", paramLabel = "SIZE", defaultValue = "standard-1x",
            description = "eco, basic, standard-1x (512 MB), standard-2x (1 GB), performance-m (2.5 GB), performance-l (14 GB)."
                    + " Default: ${DEFAULT-VALUE}.")
    String dyno;

    @Option(names = "--max-slug-size", paramLabel = "SIZE", defaultValue = "500MB",
            description = "Fail (exit 2) when the compressed slug estimate is larger. Default: ${DEFAULT-VALUE} (Heroku's limit).")
    String maxSlugSize;

    @Option(names = "--java", paramLabel = "VERSION", defaultValue = "25", description = "java.runtime.version. Default: ${DEFAULT-VALUE}.")
    int javaVersion;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report (as DIR/report.json) to FILE.")
    Path json;

    @Option(names = "--verify-data", paramLabel = "DATA",
            description = "Images (or class folders of images) to send through /predict and compare with the model run in-process.")
    Path verifyData;

    @Option(names = "--verify-limit", paramLabel = "N", defaultValue = "50", description = "At most N verify images. Default: ${DEFAULT-VALUE}.")
    int verifyLimit;

    @Option(names = "--image", paramLabel = "FILE.tar",
            description = "Also build a container image tarball (no Docker daemon needed; docker load, or push to Heroku's registry).")
    Path image;

    @Option(names = "--no-self-check", negatable = false, description = "Do not boot the artifact to check it.")
    boolean noSelfCheck;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json != null) Args.requireWritableFile(spec, json, "--json");
        if (image != null) Args.requireWritableFile(spec, image, "--image");
        if (!Files.isRegularFile(model)) {
            throw ConversionException.badInput(Files.isDirectory(model)
                    ? model + " is a folder: package takes a .tflite (make one with 'mlpack optimize " + model + " -o model.tflite --quantize int8 ...')"
                    : "model " + model + " does not exist");
        }
        try {
            PackageRequest request = PackageRequest.builder(model, outDir).target(target).name(name).labels(labels).dyno(Dyno.parse(dyno))
                    .maxSlugBytes(Sizes.parse(maxSlugSize, "--max-slug-size")).javaVersion(javaVersion).verifyData(verifyData)
                    .verifyLimit(verifyLimit).image(image).selfCheck(!noSelfCheck).build();
            PackageResult r = Packager.pack(request, line -> {
                out.println("  " + line);
                out.flush();
            });
            if (json != null) JsonFiles.write(json, r.report(), true);
            out.println("packaged " + r.artifact() + " (" + target.cliName() + ", " + r.sizing().dyno().cliName() + ")");
            r.summary().forEach(out::println);
            for (String w : r.warnings()) Main.line(err, "warning: " + w);
            out.flush();
            if (r.selfCheck() != null && !r.selfCheck().passed()) {
                throw new ConversionException(ConversionException.Kind.INTERNAL, "self-check failed: " + r.selfCheck().failure()
                        + " (details in " + r.artifact().resolve("report.json") + ")");
            }
            return Main.OK;
        } catch (PackageException e) {
            throw asConversionException(e);
        }
    }

    /** The packager's failure as the CLI's error, keeping its exit code (2 bad input or over budget, 1 otherwise). */
    static ConversionException asConversionException(PackageException e) {
        return new ConversionException(e.kind() == PackageException.Kind.BAD_INPUT ? ConversionException.Kind.BAD_INPUT
                : ConversionException.Kind.INTERNAL, e.getMessage(), e);
    }
}
