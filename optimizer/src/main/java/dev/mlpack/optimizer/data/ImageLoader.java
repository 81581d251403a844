package dev.mlpack.optimizer.data;

import dev.mlpack.optimizer.concurrent.Futures;
import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.data.Dataset.Sample;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.progress.Task;
import dev.mlpack.runtime.image.ImageDecodeException;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns dataset images into model inputs: decodes each file with {@link ImageDecoder} (grayscale,
 * palette and alpha images become RGB, never rejected) and prepares it with an {@link
 * ImagePipeline}, giving {@code height * width * channels} floats, NHWC for a batch of one.
 *
 * <p>Batches are decoded in parallel on up to {@code threads} threads with a bounded number of
 * images in flight, and delivered in the order of the list, on the calling thread, so results do
 * not depend on scheduling.
 *
 * <p>A file that cannot be decoded (not an image, corrupt or truncated) either raises {@link
 * ConversionException#badInput} naming the file and the reason, or, with {@code skipBad}, is
 * collected as {@link Skipped} and left out. Other failures (bugs, out of memory) propagate.
 *
 * <p>Thread-safe; each call uses its own threads, which are gone when it returns.
 */
public final class ImageLoader {

    /** A file left out in {@code skipBad} mode, with the decoder's reason, e.g. "corrupt or truncated JPEG data (...)". */
    public record Skipped(Sample sample, String reason) {
        /** One line naming the file and the reason. */
        public String message() {
            return sample.file() + " is not a readable image (" + reason + ")";
        }
    }

    /**
     * The result of {@link #loadAll(List, boolean, Progress)}: the samples that loaded, their inputs
     * (same order, same size) and the skipped ones.
     */
    public record Batch(List<Sample> samples, List<float[]> inputs, List<Skipped> skipped) {
        public Batch {
            samples = List.copyOf(samples);
            inputs = List.copyOf(inputs);
            skipped = List.copyOf(skipped);
        }
    }

    /** Receives loaded inputs, in list order, on the thread that called {@link #forEach}. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param index the sample's position in the list given to {@link #forEach}
         * @param sample the sample
         * @param input its model input; the sink may keep or modify it
         */
        void accept(int index, Sample sample, float[] input);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ImagePipeline pipeline;
    private final ImageDecoder decoder;
    private final int threads;

    /** A loader with the default decoder, using all available cores. */
    public ImageLoader(ImagePipeline pipeline) {
        this(pipeline, new ImageDecoder(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param threads how many images to decode at once, at least 1 (1 decodes on the calling thread)
     */
    public ImageLoader(ImagePipeline pipeline, ImageDecoder decoder, int threads) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
    }

    public ImagePipeline pipeline() {
        return pipeline;
    }

    public int threads() {
        return threads;
    }

    /** The model input for one sample; a bad image raises {@link ConversionException#badInput}. */
    public float[] load(Sample sample) {
        return load(sample.file());
    }

    /** The model input for one image file; a bad image raises {@link ConversionException#badInput}. */
    public float[] load(Path file) {
        Outcome o = decode(file);
        if (o.error() != null) {
            throw badImage(file, o.error());
        }
        return o.input();
    }

    /**
     * Loads every sample, failing on the first bad image in list order. Reports a task "Loading
     * images" in images.
     */
    public List<float[]> loadAll(List<Sample> samples, Progress progress) {
        return loadAll(samples, false, progress).inputs();
    }

    /**
     * Loads every sample; with {@code skipBad}, bad images are collected instead of failing. Reports
     * a task "Loading images" in images.
     */
    public Batch loadAll(List<Sample> samples, boolean skipBad, Progress progress) {
        List<Sample> loaded = new ArrayList<>(samples.size());
        List<float[]> inputs = new ArrayList<>(samples.size());
        List<Skipped> skipped;
        try (Task task = progress.start("Loading images", samples.size(), "img")) {
            skipped = forEach(samples, skipBad, task, (i, sample, input) -> {
                loaded.add(sample);
                inputs.add(input);
            });
        }
        return new Batch(loaded, inputs, skipped);
    }

    /**
     * Streams the inputs of {@code samples} to {@code sink} in list order without holding them all
     * in memory (at most about {@code 2 * threads} decoded ahead), e.g. to run a model on each.
     * Steps {@code task} once per sample, loaded or skipped, and does not close it.
     *
     * @return the skipped samples (always empty unless {@code skipBad})
     * @throws ConversionException for the first bad image in list order, unless {@code skipBad}
     */
    public List<Skipped> forEach(List<Sample> samples, boolean skipBad, Task task, Sink sink) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(sink, "sink");
        List<Skipped> skipped = new ArrayList<>();
        int workers = Math.min(threads, samples.size());
        if (workers <= 1) {
            for (int i = 0; i < samples.size(); i++) {
                deliver(i, samples.get(i), decode(samples.get(i).file()), skipBad, skipped, sink, task);
            }
            return skipped;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, daemonThreads());
        try {
            int ahead = 2 * workers;
            ArrayDeque<Future<Outcome>> inFlight = new ArrayDeque<>(ahead);
            int next = 0;
            for (int i = 0; i < samples.size(); i++) {
                while (next < samples.size() && next < i + ahead) {
                    Path file = samples.get(next++).file();
                    inFlight.add(pool.submit(() -> decode(file)));
                }
                deliver(i, samples.get(i), Futures.await(inFlight.poll(), "loading images"), skipBad, skipped, sink, task);
            }
            return skipped;
        } finally {
            pool.shutdownNow();
            pool.close(); // waits for decodes still running after a failure
        }
    }

    // ------------------------------------------------------------------ internals

    /** A decoded input, or the reason the file is not a readable image. */
    private record Outcome(float[] input, ImageDecodeException error) {}

    private Outcome decode(Path file) {
        try {
            return new Outcome(pipeline.toFloats(decoder.decode(file)), null);
        } catch (ImageDecodeException e) {
            return new Outcome(null, e);
        }
    }

    private static void deliver(int index, Sample sample, Outcome o, boolean skipBad, List<Skipped> skipped, Sink sink, Task task) {
        if (o.error() == null) {
            sink.accept(index, sample, o.input());
        } else if (skipBad) {
            skipped.add(new Skipped(sample, reason(o.error())));
        } else {
            throw badImage(sample.file(), o.error());
        }
        task.step(1);
    }

    static ConversionException badImage(Path file, ImageDecodeException e) {
        return new ConversionException(ConversionException.Kind.BAD_INPUT,
                file + " is not a readable image (" + reason(e) + "): remove it or replace it", e);
    }

    /** The decoder's reason without the "source: " prefix, on one line. */
    static String reason(ImageDecodeException e) {
        String message = e.getMessage() == null ? "unknown error" : e.getMessage();
        String prefix = e.source() + ": ";
        String reason = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return reason.replaceAll("\\s+", " ").strip();
    }

    private static ThreadFactory daemonThreads() {
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "mlpack-image-loader-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
