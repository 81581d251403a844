package dev.mlpack.server;

/**
 * Time limits of the JDK's HTTP server, which it reads from system properties once, when the first server is
 * created. A client that takes longer than the request timeout to send its request (a slow upload, or a
 * "slowloris" that never finishes its headers) has its connection closed, and so does one that does not read
 * its response. Properties given on the command line win.
 */
final class HttpLimits {
    private HttpLimits() {}

    static void apply(ServerConfig config) {
        String seconds = Long.toString(Math.max(1, config.timeout().toSeconds()));
        setIfAbsent("sun.net.httpserver.maxReqTime", seconds);
        setIfAbsent("sun.net.httpserver.maxRspTime", seconds);
        // Idle keep-alive connections are closed after this many seconds (the JDK's default is 30).
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
