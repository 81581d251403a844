package dev.mlpack.cli;

import dev.mlpack.optimizer.errors.ConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code mlpack} command line.
 *
 * <p>Exit codes: 0 success; 2 usage errors and bad or unsupported input; 1 anything else. Every error is
 * one line on stderr, {@code mlpack: <message>}; {@code MLPACK_DEBUG=1} adds the stack trace.
 */
@Command(name = "mlpack",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Converts Keras SavedModels to TensorFlow Lite, in Java.",
        subcommands = {OptimizeCommand.class, EvaluateCommand.class, InspectCommand.class, PackageCommand.class, ServeCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  internal error (MLPACK_DEBUG=1 shows the stack trace)",
                "  2  usage error, or a model that is missing, malformed or unsupported"})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: choose one of optimize, evaluate, inspect, package, serve, demo");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        // TensorFlow's native runtime can leave non-daemon threads behind: leave explicitly.
        System.exit(code);
    }

    /** Runs the command line on {@code args}, printing to {@code out}/{@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = commandLine(out, err);
        try {
            return cmd.execute(args);
        } catch (Throwable t) { // Errors (out of memory, stack overflow) bypass picocli's handler
            return report(err, t);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured picocli command line, with mlpack's error handling. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        // serve hands its options to the server's own parser untouched.
        cmd.getSubcommands().get("serve").setUnmatchedOptionsArePositionalParams(true);
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine where = ex.getCommandLine();
            String help = where == null ? "mlpack --help" : where.getCommandSpec().qualifiedName() + " --help";
            String message = ex.getMessage() == null ? "invalid usage" : ex.getMessage();
            line(where == null ? err : where.getErr(), message + " (see '" + help + "')");
            if (debug()) ex.printStackTrace(where == null ? err : where.getErr());
            return BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, where, parseResult) -> report(where.getErr(), ex));
        return cmd;
    }

    /** Prints the one-line error for {@code t} and returns its exit code. */
    static int report(PrintWriter err, Throwable t) {
        int code;
        String message;
        if (t instanceof ConversionException ce) {
            code = ce.kind().exitCode();
            message = ce.getMessage();
        } else if (t instanceof ParameterException pe) {
            code = BAD_INPUT;
            message = pe.getMessage();
        } else if (t instanceof UncheckedIOException || t instanceof IOException) {
            IOException io = t instanceof UncheckedIOException u ? u.getCause() : (IOException) t;
            code = io instanceof NoSuchFileException || io instanceof AccessDeniedException ? BAD_INPUT : FAILED;
            message = describe(io);
        } else if (t instanceof OutOfMemoryError) {
            code = FAILED;
            message = "out of memory: give Java more with MLPACK_JAVA_OPTS=-Xmx8g";
        } else if (t instanceof StackOverflowError) {
            code = FAILED;
            message = "stack overflow: the model graph is too deep (please report it; MLPACK_DEBUG=1 shows where)";
        } else {
            code = FAILED;
            message = "internal error: " + t + (debug() ? "" : " (please report it; MLPACK_DEBUG=1 shows the stack trace)");
        }
        line(err, message == null ? t.getClass().getName() : message);
        if (debug()) t.printStackTrace(err);
        err.flush();
        return code;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) return n.getFile() + " does not exist";
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileSystemException f) return f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Prints {@code mlpack: message} as exactly one line. */
    static void line(PrintWriter err, String message) {
        err.println("mlpack: " + message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; "));
        err.flush();
    }

    static boolean debug() {
        return "1".equals(System.getenv("MLPACK_DEBUG")) || Boolean.getBoolean("mlpack.debug");
    }

    /** {@code mlpack <version>}, the version coming from the build (version.properties). */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("$")) return v;
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "0.1.0";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[] {"mlpack " + version()}; }
    }
}
