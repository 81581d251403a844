package dev.mlpack.packager;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link Packager#pack} builds. Made with {@link #builder(Path, Path)}.
 *
 * @param model the .tflite to serve
 * @param outDir the artifact folder (replaced if it holds an earlier artifact)
 * @param target heroku or docker
 * @param name the app name; null for one made from the model's file name
 * @param modelName the model's name in TF Serving's paths ({@code /v1/models/NAME}); null for the app name
 * @param labels class names to ship beside the model; null to use the model's metadata
 * @param dyno the dyno size the JVM flags are for
 * @param maxSlugBytes the size budget
 * @param javaVersion the Java feature release to run on
 * @param verifyData labelled images (class folders) or a folder of images for the self-check; null for none
 * @param verifyLimit at most this many verify images
 * @param image where to write a container image tarball; null for none
 * @param selfCheck whether to boot the artifact and check it
 * @param serverDist the server distribution; null to locate it ({@link ServerDist#locate()})
 */
public record PackageRequest(Path model, Path outDir, Target target, String name, String modelName, Path labels, Dyno dyno, long maxSlugBytes,
        int javaVersion, Path verifyData, int verifyLimit, Path image, boolean selfCheck, ServerDist serverDist) {

    public PackageRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(dyno, "dyno");
        if (maxSlugBytes <= 0) throw PackageException.badInput("--max-slug-size must be positive");
        if (javaVersion < 25) {
            throw PackageException.badInput("--java " + javaVersion + " is too old: the server needs Java 25 or later");
        }
        if (verifyLimit <= 0) throw PackageException.badInput("--verify-limit must be positive");
    }

    public static Builder builder(Path model, Path outDir) { return new Builder(model, outDir); }

    public static final class Builder {
        private final Path model;
        private final Path outDir;
        private Target target = Target.HEROKU;
        private String name;
        private String modelName;
        private Path labels;
        private Dyno dyno = Dyno.STANDARD_1X;
        private long maxSlugBytes = SizeBudget.DEFAULT_MAX_BYTES;
        private int javaVersion = 25;
        private Path verifyData;
        private int verifyLimit = 50;
        private Path image;
        private boolean selfCheck = true;
        private ServerDist serverDist;

        private Builder(Path model, Path outDir) {
            this.model = model;
            this.outDir = outDir;
        }

        public Builder target(Target t) { this.target = t; return this; }
        public Builder name(String n) { this.name = n; return this; }
        public Builder modelName(String n) { this.modelName = n; return this; }
        public Builder labels(Path l) { this.labels = l; return this; }
        public Builder dyno(Dyno d) { this.dyno = d; return this; }
        public Builder maxSlugBytes(long b) { this.maxSlugBytes = b; return this; }
        public Builder javaVersion(int v) { this.javaVersion = v; return this; }
        public Builder verifyData(Path d) { this.verifyData = d; return this; }
        public Builder verifyLimit(int n) { this.verifyLimit = n; return this; }
        public Builder image(Path i) { this.image = i; return this; }
        public Builder selfCheck(boolean s) { this.selfCheck = s; return this; }
        public Builder serverDist(ServerDist d) { this.serverDist = d; return this; }

        public PackageRequest build() {
            return new PackageRequest(model, outDir, target, name, modelName, labels, dyno, maxSlugBytes, javaVersion, verifyData, verifyLimit,
                    image, selfCheck, serverDist);
        }
    }
}
