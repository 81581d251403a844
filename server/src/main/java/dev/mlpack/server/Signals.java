package dev.mlpack.server;

/**
 * SIGTERM and SIGINT as a graceful stop. The JVM's default exits with 143/130 after the shutdown hooks; Heroku
 * and Docker read a clean stop as exit 0, and the drain must run before anything is torn down, so the server
 * installs its own handlers ({@code sun.misc.Signal}, in the {@code jdk.unsupported} module that every JDK ships).
 * Where signals cannot be handled (another platform), a shutdown hook does the same, with the JVM's exit code.
 */
final class Signals {
    private Signals() {}

    static void onTerminate(Runnable action) {
        boolean installed = false;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
                installed = true;
            } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
                // signal not available here
            }
        }
        if (!installed) Runtime.getRuntime().addShutdownHook(new Thread(action, "shutdown"));
    }
}
