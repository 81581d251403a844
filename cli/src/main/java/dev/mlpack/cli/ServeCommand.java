package dev.mlpack.cli;

import dev.mlpack.server.ServerMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mlpack serve MODEL.tflite [options]}: the inference server of the server module, the same code that runs
 * from the packaged artifact ({@code java -jar mlpack-server.jar --model MODEL.tflite}). Its options are parsed
 * by {@link ServerMain} (one list for both, so they cannot drift apart); {@link Main} passes them through.
 */
@Command(name = "serve",
        description = {"Serves a .tflite image classifier over HTTP until Ctrl-C: upload page at /, POST /predict, /ping,"
                + " /metrics, TF Serving's /v1/models/NAME. 'mlpack serve --help' lists the options."})
final class ServeCommand implements Callable<Integer> {

    /** The model and the server's options, untouched by picocli (see {@link Main#commandLine}). */
    @Parameters(arity = "0..*", paramLabel = "MODEL.tflite [options]")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return ServerMain.run(serverArgs(args), System.out, System.err, "mlpack serve MODEL.tflite");
    }

    /** The first argument that is not an option (or an option's value) is the model. */
    static String[] serverArgs(List<String> args) {
        List<String> out = new ArrayList<>(args.size() + 1);
        boolean modelGiven = args.stream().anyMatch(a -> a.equals("--model") || a.startsWith("--model="));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!modelGiven && !a.startsWith("-")) {
                out.add("--model");
                modelGiven = true;
            } else if (a.startsWith("--") && !a.contains("=") && ServerMain.takesValue(a) && i + 1 < args.size()) {
                out.add(a);
                a = args.get(++i);
            }
            out.add(a);
        }
        return out.toArray(String[]::new);
    }
}
