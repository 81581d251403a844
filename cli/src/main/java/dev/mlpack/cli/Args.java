package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks on path arguments made before any work starts, so that mistakes cost nothing. */
final class Args {
    private Args() {}

    /** A SavedModel folder must exist and be a folder; the importer checks what is inside. */
    static void requireModelFolder(Path model, String command) {
        if (!Files.exists(model)) {
            throw ConversionException.badInput("model " + model + " does not exist: pass the folder that model.export() or model.save() wrote");
        }
        if (!Files.isDirectory(model)) {
            String hint = model.getFileName() != null && model.getFileName().toString().equals("saved_model.pb")
                    ? "pass the folder that holds it, " + (model.getParent() == null ? "." : model.getParent())
                    : model.toString().endsWith(".tflite") ? "it is already a TFLite model (see 'mlpack inspect')"
                    : model.toString().endsWith(".keras") || model.toString().endsWith(".h5")
                    ? "export a SavedModel first, e.g. keras.models.load_model(\"" + model.getFileName() + "\").export(\"model\")"
                    : "pass the folder that model.export() or model.save() wrote";
            throw ConversionException.badInput(model + " is a file, not a SavedModel folder: " + hint);
        }
    }

    /** A usage error (exit 2, with the command's help hint) for {@code spec}'s command. */
    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * {@code parser(value)}, with its complaint turned into a usage error that names the option and the value, unless
     * the message already starts with the option's name.
     */
    static <T> T parseOption(CommandSpec spec, String option, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (ConversionException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            throw usage(spec, message.startsWith(option) ? message : option + " " + value + ": " + message);
        }
    }

    /** An output file must not be an existing folder. */
    static void requireWritableFile(CommandSpec spec, Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new ParameterException(spec.commandLine(), option + " " + file + " is a folder: give a file name");
        }
    }
}
