package dev.mlpack.optimizer;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.keras.PreprocessingInference;
import dev.mlpack.runtime.image.Preprocess;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pixel preprocessing a conversion uses, and why: {@code --preprocess}, or what the model's graph shows
 * ({@link PreprocessingInference}). Never a silent default: when neither says, {@link #resolve} refuses.
 *
 * @param mode the preprocessing; null until resolved when nothing was given
 * @param reason why this mode, for the summary
 * @param warning a doubt about a given mode that the graph contradicts, or null
 */
public record PreprocessingChoice(Preprocess mode, String reason, String warning) {
    /** Nothing given: work it out from the graph. */
    public static final PreprocessingChoice INFER = new PreprocessingChoice(null, null, null);

    /** The mode the user asked for. */
    public static PreprocessingChoice given(Preprocess mode) {
        return mode == null ? INFER : new PreprocessingChoice(mode, "from --preprocess", null);
    }

    public boolean resolved() { return mode != null; }

    /**
     * This choice made definite for {@code graph} (the imported graph, before optimization folds its scaling).
     *
     * @throws ConversionException bad input when nothing was given and the graph does not show it
     */
    public PreprocessingChoice resolve(Graph graph, Path model) {
        Optional<PreprocessingInference.Evidence> evidence = PreprocessingInference.infer(graph);
        if (resolved()) {
            boolean contradicted = evidence.isPresent() && evidence.get().mode() == Preprocess.RAW && mode != Preprocess.RAW;
            return contradicted ? new PreprocessingChoice(mode, reason, "--preprocess " + mode.kerasName() + ", but "
                    + evidence.get().reason() + ": such models usually take raw 0..255 pixels (--preprocess raw)") : this;
        }
        if (evidence.isEmpty()) {
            throw ConversionException.badInput("cannot tell from " + model + " how it expects its pixels scaled: pass the"
                    + " --preprocess it was trained with: " + choices());
        }
        return new PreprocessingChoice(evidence.get().mode(), evidence.get().reason(), null);
    }

    /** The modes with what each does, for messages. */
    public static String choices() {
        return Arrays.stream(Preprocess.values()).map(p -> p.kerasName() + " (" + formula(p) + ")").collect(Collectors.joining(", "));
    }

    /** What the mode does to a 0..255 pixel, in a few words. */
    public static String formula(Preprocess p) {
        return switch (p) {
            case TF -> "x/127.5-1";
            case CAFFE -> "BGR minus ImageNet means";
            case TORCH -> "ImageNet mean/std";
            case RAW -> "0..255";
        };
    }

    /** "raw (0..255): the model scales its pixels itself (layer 'rescaling')". */
    public String describe() {
        return mode.kerasName() + " (" + formula(mode) + "): " + reason;
    }
}
