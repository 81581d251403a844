import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The two HTTP engines `bench/server_bench.sh engines` compares, each answering GET /ping with the server's JSON and
 * configured as the server would need it: requests on virtual threads, an 8 KB header limit, 1000 connections.
 *
 *   jdk PORT     the JDK's com.sun.net.httpserver.HttpServer, its limits set by its system properties
 *                (sun.net.httpserver.maxReqTime=10 s for reading a request, maxReqHeaderSize=8192,
 *                jdk.httpserver.maxConnections=1000)
 *   jetty PORT   Jetty 12 core as the server runs it (QueuedThreadPool of 8 with a virtual-thread executor, one
 *                acceptor and selector, heap buffers, NetworkConnectionLimit), without mlpack's own handlers
 *
 * Runs until killed. Classpath: server/target/lib/* (Jetty, slf4j).
 */
public final class HttpEngines {
    private static final byte[] PING = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "jdk" -> jdk(port);
            case "jetty" -> jetty(port);
            default -> throw new IllegalArgumentException(args[0]);
        }
        Thread.currentThread().join();
    }

    static void jdk(int port) throws Exception {
        System.setProperty("sun.net.httpserver.maxReqTime", "10");
        System.setProperty("sun.net.httpserver.maxReqHeaderSize", "8192");
        System.setProperty("jdk.httpserver.maxConnections", "1000");
        var server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/ping", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, PING.length);
            exchange.getResponseBody().write(PING);
            exchange.close();
        });
        server.start();
    }

    static void jetty(int port) throws Exception {
        System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16"); // as the server does: no JMX at boot
        var threads = new org.eclipse.jetty.util.thread.QueuedThreadPool(8, 2);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        var jetty = new org.eclipse.jetty.server.Server(threads);
        var http = new org.eclipse.jetty.server.HttpConfiguration();
        http.setRequestHeaderSize(8192);
        http.setUseInputDirectByteBuffers(false);
        http.setUseOutputDirectByteBuffers(false);
        var connector = new org.eclipse.jetty.server.ServerConnector(jetty, 1, 1, new org.eclipse.jetty.server.HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        jetty.addConnector(connector);
        jetty.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(1000, connector));
        jetty.setHandler(new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) {
                response.getHeaders().put("Content-Type", "application/json");
                response.write(true, ByteBuffer.wrap(PING), callback);
                return true;
            }
        });
        jetty.start();
    }
}
