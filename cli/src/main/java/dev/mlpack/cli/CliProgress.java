package dev.mlpack.cli;

import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * The optimizer's {@link Progress} as progress bars on stderr ({@code Loading images  45% [====   ] 90/200 img
 * (0:00:02 / 0:00:02) 41.3 img/s}), one per task. Bars are drawn only when stderr is a terminal, so that
 * redirected output and CI logs stay clean; {@link #forStderr()} returns {@link Progress#none()} otherwise.
 */
final class CliProgress implements Progress {
    private final PrintStream stream;

    private CliProgress(PrintStream stream) {
        this.stream = stream;
    }

    /** Bars on {@code System.err} when it is a terminal, else a progress that shows nothing. */
    static Progress forStderr() {
        return stderrIsTerminal() ? new CliProgress(System.err) : Progress.none();
    }

    @Override
    public Task start(String name, long total, String unit) {
        String u = unit == null || unit.isBlank() ? "" : " " + unit.strip();
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total > 0 ? total : -1)
                .setUnit(u, 1)
                .setRenderer(new Renderer(u))
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .build();
        return new BarTask(bar);
    }

    /**
     * {@code Loading images  45% [=========>           ] 90/200 img, 41.3 img/s, 0:03 left}. The library's own
     * renderer measures speed in whole seconds and so shows none during the first second; this one uses the
     * exact elapsed time.
     */
    static final class Renderer implements ProgressBarRenderer {
        private static final int BAR_WIDTH = 30;
        private static final int TAIL_WIDTH = 42;
        private final String unit;

        Renderer(String unit) {
            this.unit = unit;
        }

        @Override
        public String render(ProgressState state, int maxLength) {
            return render(state.getTaskName(), state.getCurrent() - state.getStart(), state.isIndefinite() ? -1 : state.getMax() - state.getStart(),
                    state.getElapsedAfterStart(), maxLength);
        }

        String render(String name, long done, long total, Duration elapsed, int maxLength) {
            double seconds = elapsed.toNanos() / 1e9;
            double speed = seconds > 0.05 && done > 0 ? done / seconds : Double.NaN;
            StringBuilder tail = new StringBuilder(" ").append(done);
            if (total > 0) tail.append('/').append(total);
            tail.append(unit).append(", ");
            tail.append(Double.isNaN(speed) ? "?" : String.format(Locale.ROOT, speed < 10 ? "%.2f" : "%.1f", speed)).append(unit).append("/s");
            if (total > 0 && !Double.isNaN(speed) && done < total) tail.append(", ").append(clock((total - done) / speed)).append(" left");
            else if (done >= total && total > 0) tail.append(", ").append(clock(seconds));
            String head = name + (total > 0 ? String.format(Locale.ROOT, " %3d%% ", Math.min(100, 100 * done / total)) : " ");
            int line = maxLength <= 0 ? 80 : maxLength - 1; // the last column would wrap on some terminals
            // The bar's width leaves room for the longest usual tail, so that it does not jump as the numbers change.
            int width = Math.min(BAR_WIDTH, line - head.length() - Math.max(TAIL_WIDTH, tail.length()) - 2);
            String text;
            if (total <= 0 || width < 5) {
                text = head.strip() + tail;
            } else {
                int filled = (int) Math.min(width, width * done / total);
                text = head + "[" + "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "") + "]" + tail;
            }
            // Pad so that a shorter line overwrites all of the previous one.
            return text.length() >= line ? text.substring(0, line) : text + " ".repeat(line - text.length());
        }

        private static String clock(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }

    /** A running bar; {@link #close} finishes the line once. */
    private static final class BarTask implements Task {
        private final ProgressBar bar;
        private final AtomicBoolean closed = new AtomicBoolean();

        BarTask(ProgressBar bar) {
            this.bar = bar;
        }

        @Override
        public void step(long n) {
            bar.stepBy(n);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    bar.close();
                } catch (RuntimeException ignored) {
                    // a progress bar must never fail the work it reports on
                }
            }
        }
    }

    /**
     * Whether stderr is an interactive terminal. On Linux, file descriptor 2 must be a tty ({@code /dev/pts/N},
     * {@code /dev/ttyN}); elsewhere the JVM's console must be a terminal: since Java 22 {@link System#console()}
     * is non-null even when the streams are redirected, so {@link Console#isTerminal()} is checked as well.
     * {@code TERM=dumb} turns bars off.
     */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (Exception ignored) {
            // fall back to the console
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
