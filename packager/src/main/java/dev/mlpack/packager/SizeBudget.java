package dev.mlpack.packager;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether an artifact fits Heroku's limits: the compressed slug (or image) size, and the dyno's memory.
 *
 * <p>The slug estimate is the archive (gzip level 9, as Heroku compresses the slug) plus the Java runtime the
 * platform adds: for Heroku's JVM buildpack a full JDK in {@code .jdk} ({@link #JDK_SLUG_BYTES}), for a container
 * the JRE base image ({@link #JRE_IMAGE_BYTES}).
 */
public final class SizeBudget {
    /**
     * 141,831,728 bytes: the Temurin 25.0.3+9 JDK (303 MB on disk) as a gzip -6 tarball, measured with
     * {@code tar cf - -C /usr/lib/jvm temurin-25-jdk-amd64 | gzip -6 | wc -c}. Heroku's JVM buildpack installs a
     * complete JDK of the requested version into the slug; the distribution it picks (Azul Zulu by default) is a
     * JDK of the same make-up, so this is the figure used.
     */
    public static final long JDK_SLUG_BYTES = 141_831_728L;
    public static final String JDK_SOURCE = "the JDK Heroku's JVM buildpack adds: Temurin 25 JDK as gzip, measured";
    /**
     * About 76 MB: a JRE made by jlink of the Temurin JRE's 40 modules ({@code --strip-debug}), as a gzip -6 tarball,
     * measured at 45,592,567 bytes, plus about 30 MB for the Ubuntu base layer of the {@code eclipse-temurin:*-jre}
     * images (approximate: no registry is reachable from the build machine to weigh the real image).
     */
    public static final long JRE_IMAGE_BYTES = 45_592_567L + 30L * Sizes.MB;
    public static final String JRE_SOURCE = "a JRE image: jlink JRE as gzip, measured, + ~30 MB Ubuntu base, approximate";
    /** Heroku: slugs over 300 MB boot slowly (soft limit), over 500 MB are refused (hard limit). */
    public static final long SOFT_LIMIT_BYTES = 300 * Sizes.MB;
    public static final long DEFAULT_MAX_BYTES = 500 * Sizes.MB;
    /** Issue 5's target for {@code --prune 0.5}: the gzip size is at most 65% of the unpruned int8 model's. */
    static final double PRUNE_HALF_GZIP_RATIO = 0.65;

    /**
     * The verdict.
     *
     * @param slugEstimateBytes archive + runtime
     * @param budgetBytes the limit the estimate was held to
     * @param runtimeBytes the runtime's share
     * @param runtimeSource where that figure comes from
     * @param warnings soft-limit and other warnings
     * @param failure null when it fits; else one line naming the overrun and what would fit
     */
    public record Verdict(long slugEstimateBytes, long budgetBytes, long runtimeBytes, String runtimeSource, List<String> warnings,
            String failure) {
        public Verdict {
            warnings = List.copyOf(warnings);
        }

        public boolean fits() { return failure == null; }
    }

    private SizeBudget() {}

    /**
     * Checks the slug estimate against {@code maxBytes} and the interpreters' memory against the dyno.
     *
     * @param modelGzipBytes the model's own compressed size (to estimate what --quantize or --prune would save); asked
     *     only when the artifact does not fit
     */
    public static Verdict check(Target target, long archiveBytes, long maxBytes, JvmSizing sizing, ModelFootprint model,
            java.util.function.LongSupplier modelGzipBytes) {
        long runtime = target == Target.HEROKU ? JDK_SLUG_BYTES : JRE_IMAGE_BYTES;
        String source = target == Target.HEROKU ? JDK_SOURCE : JRE_SOURCE;
        long estimate = archiveBytes + runtime;
        String what = target == Target.HEROKU ? "compressed slug" : "compressed image";
        List<String> warnings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();

        boolean tooBig = estimate > maxBytes;
        if (tooBig) {
            problems.add(String.format(Locale.ROOT, "the %s would be about %s (archive %s + Java runtime %s), over the %s budget (--max-slug-size)",
                    what, Sizes.format(estimate), Sizes.format(archiveBytes), Sizes.format(runtime), Sizes.format(maxBytes)));
        } else if (target == Target.HEROKU && estimate > SOFT_LIMIT_BYTES) {
            warnings.add(String.format(Locale.ROOT, "the slug would be about %s, over Heroku's %s soft limit: boots and deploys get slower",
                    Sizes.format(estimate), Sizes.format(SOFT_LIMIT_BYTES)));
        }
        Dyno dyno = sizing.dyno();
        boolean noMemory = !sizing.fits();
        if (noMemory) {
            problems.add(String.format(Locale.ROOT, "the model needs about %s of native memory with one interpreter, but a %s dyno (%d MB)"
                    + " leaves %s once the JVM is sized", Sizes.format(sizing.interpreterBytes()), dyno.displayName(), dyno.memoryMb(),
                    Sizes.format(JvmSizing.interpreterBudgetBytes(dyno))));
        }
        if (problems.isEmpty()) return new Verdict(estimate, maxBytes, runtime, source, warnings, null);

        // What would fit: int8 weights (a quarter of float32), pruning on top, or a bigger dyno.
        long modelGzip = modelGzipBytes.getAsLong();
        long rest = archiveBytes - modelGzip;
        if (model.isMostlyFloat()) {
            ModelFootprint int8 = model.asInt8();
            long int8Gzip = Math.round((double) modelGzip * int8.fileBytes() / model.fileBytes());
            long int8Slug = rest + int8Gzip + runtime;
            boolean int8Memory = JvmSizing.forDyno(dyno, int8).fits();
            if (int8Slug <= maxBytes && int8Memory) {
                fixes.add(String.format(Locale.ROOT, "--quantize int8 would fit (slug about %s, weights a quarter of float32)", Sizes.format(int8Slug)));
            } else {
                long prunedSlug = rest + Math.round(int8Gzip * PRUNE_HALF_GZIP_RATIO) + runtime;
                if (prunedSlug <= maxBytes && int8Memory) {
                    fixes.add(String.format(Locale.ROOT, "--quantize int8 --prune 0.5 would fit (slug about %s)", Sizes.format(prunedSlug)));
                } else if (int8Slug <= maxBytes || prunedSlug <= maxBytes) {
                    Dyno bigger = smallestFitting(int8);
                    if (bigger != null) fixes.add("--quantize int8 on a " + bigger.cliName() + " dyno would fit");
                }
            }
        } else if (tooBig) {
            long prunedSlug = rest + Math.round(modelGzip * PRUNE_HALF_GZIP_RATIO) + runtime;
            if (prunedSlug <= maxBytes && !noMemory) {
                fixes.add(String.format(Locale.ROOT, "--prune 0.5 would fit (zeroed int8 weights compress: slug about %s)", Sizes.format(prunedSlug)));
            }
        }
        if (!tooBig && noMemory) {
            Dyno bigger = smallestFitting(model);
            if (bigger != null) fixes.add("--dyno " + bigger.cliName() + " would fit as it is");
        }
        String fix = fixes.isEmpty() ? "neither --quantize int8, --prune nor a bigger dyno is estimated to fit: use a smaller model"
                : String.join("; ", fixes);
        return new Verdict(estimate, maxBytes, runtime, source, warnings, String.join("; and ", problems) + ": " + fix);
    }

    /** The smallest dyno whose memory holds the model with one interpreter, or null. */
    static Dyno smallestFitting(ModelFootprint model) {
        for (Dyno d : Dyno.values()) {
            if (JvmSizing.forDyno(d, model).fits()) return d;
        }
        return null;
    }
}
