package dev.mlpack.packager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Packager#pack} built and measured.
 *
 * @param artifact the artifact folder
 * @param archive the reproducible archive inside it
 * @param archiveBytes its size
 * @param verdict the size budget
 * @param sizing the JVM flags and memory arithmetic
 * @param command the Procfile's web command (heroku) or the container's command (docker)
 * @param selfCheck the self-check, or null if it was skipped
 * @param image the container image tarball, or null
 */
public record PackageResult(Path artifact, Path archive, long archiveBytes, SizeBudget.Verdict verdict, JvmSizing sizing, String command,
        SelfCheck.Result selfCheck, ContainerImage.Result image) {

    public List<String> warnings() {
        List<String> w = new ArrayList<>(verdict.warnings());
        if (selfCheck != null) w.addAll(selfCheck.warnings());
        return w;
    }

    /** The report ({@code report.json} and {@code --json}): the keys of issue 7's interface, then details. */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("artifact", artifact.toString());
        m.put("archive", archive.toString());
        m.put("archive_bytes", archiveBytes);
        m.put("slug_estimate_bytes", verdict.slugEstimateBytes());
        m.put("budget_bytes", verdict.budgetBytes());
        m.put("boot_seconds", selfCheck == null ? null : selfCheck.bootSeconds());
        m.put("rss_mb", selfCheck == null ? null : selfCheck.rssMb());
        Map<String, Object> verify = new LinkedHashMap<>();
        verify.put("n", selfCheck == null ? 0 : selfCheck.n());
        verify.put("agreement_top1", selfCheck == null ? null : selfCheck.agreementTop1());
        m.put("verify", verify);
        m.put("procfile", command);
        m.put("dyno", sizing.dyno().cliName());
        m.put("dyno_memory_mb", sizing.dyno().memoryMb());
        m.put("memory_estimate_bytes", sizing.estimatedPeakBytes());
        m.put("workers", sizing.workers());
        m.put("runtime_bytes", verdict.runtimeBytes());
        m.put("runtime_source", verdict.runtimeSource());
        m.put("self_check_failure", selfCheck == null ? null : selfCheck.failure());
        if (image != null) {
            Map<String, Object> img = new LinkedHashMap<>();
            img.put("path", image.path().toString());
            img.put("bytes", image.bytes());
            img.put("digest", image.manifestDigest());
            img.put("manifest_media_type", image.manifestMediaType());
            img.put("user", image.user());
            img.put("base", image.base());
            m.put("image", img);
        }
        m.put("warnings", warnings());
        return m;
    }

    /** The printed summary: one fact a line, indented by two spaces. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        lines.add("  archive     " + archive + "  " + Sizes.format(archiveBytes));
        lines.add(String.format(Locale.ROOT, "  %-11s about %s = archive + Java runtime %s (budget %s; %s)",
                command.startsWith("exec ") ? "image" : "slug", Sizes.format(verdict.slugEstimateBytes()), Sizes.format(verdict.runtimeBytes()),
                Sizes.format(verdict.budgetBytes()), verdict.runtimeSource()));
        lines.add(String.format(Locale.ROOT, "  memory      about %s of the %s dyno's %d MB (%d worker%s; see README.md)",
                Sizes.format(sizing.estimatedPeakBytes()), sizing.dyno().displayName(), sizing.dyno().memoryMb(), sizing.workers(),
                sizing.workers() == 1 ? "" : "s"));
        lines.add("  " + (command.startsWith("exec ") ? "command     " : "procfile    web: ") + command);
        if (image != null) {
            lines.add("  image       " + image.path() + "  " + Sizes.format(image.bytes()) + ", " + image.manifestDigest().substring(0, 19)
                    + "..., Docker v2 schema 2, user " + image.user());
        }
        if (selfCheck != null) {
            StringBuilder sb = new StringBuilder("  self-check  ");
            if (selfCheck.bootSeconds() != null) sb.append(String.format(Locale.ROOT, "/ping in %.2f s", selfCheck.bootSeconds()));
            if (selfCheck.rssMb() != null) sb.append(String.format(Locale.ROOT, ", peak RSS %.0f MB", selfCheck.rssMb()));
            if (selfCheck.n() > 0) {
                sb.append(String.format(Locale.ROOT, ", /predict top-1 agrees with the offline model on %d/%d images (%.1f%%)",
                        Math.round(selfCheck.agreementTop1() * selfCheck.n()), selfCheck.n(), 100 * selfCheck.agreementTop1()));
            }
            sb.append(selfCheck.passed() ? ": passed" : ": FAILED");
            lines.add(sb.toString());
        } else {
            lines.add("  self-check  skipped");
        }
        return lines;
    }
}
