package dev.mlpack.server;

/**
 * Which endpoint a request path names. {@link #name()} is a fixed string (the path pattern) for metrics and
 * logs, so that arbitrary paths never become metric labels.
 */
record Route(Kind kind, String name, String detail) {
    enum Kind { PAGE, PING, PREDICT, METRICS, TFS_STATUS, TFS_METADATA, TFS_PREDICT, UNKNOWN_MODEL, NOT_FOUND }

    private static final String MODELS = "/v1/models/";

    static Route of(String path, String modelName) {
        switch (path) {
            case "/", "/index.html" -> { return new Route(Kind.PAGE, "/", null); }
            case "/ping" -> { return new Route(Kind.PING, "/ping", null); }
            case "/predict" -> { return new Route(Kind.PREDICT, "/predict", null); }
            case "/metrics" -> { return new Route(Kind.METRICS, "/metrics", null); }
            default -> { }
        }
        if (!path.startsWith(MODELS)) return new Route(Kind.NOT_FOUND, "other", null);
        String rest = java.net.URLDecoder.decode(path.substring(MODELS.length()), java.nio.charset.StandardCharsets.UTF_8);
        Kind kind;
        String name;
        if (rest.endsWith(":predict")) {
            kind = Kind.TFS_PREDICT;
            name = rest.substring(0, rest.length() - ":predict".length());
        } else if (rest.endsWith("/metadata")) {
            kind = Kind.TFS_METADATA;
            name = rest.substring(0, rest.length() - "/metadata".length());
        } else {
            kind = Kind.TFS_STATUS;
            name = rest;
        }
        // TF Serving also accepts /versions/N (and /labels/L); this server has one version.
        int versions = name.indexOf("/versions/");
        if (versions < 0) versions = name.indexOf("/labels/");
        if (versions >= 0) name = name.substring(0, versions);
        if (!name.equals(modelName)) return new Route(Kind.UNKNOWN_MODEL, "/v1/models/?", name);
        String pattern = switch (kind) {
            case TFS_PREDICT -> "/v1/models/:predict";
            case TFS_METADATA -> "/v1/models/metadata";
            default -> "/v1/models";
        };
        return new Route(kind, pattern, name);
    }
}
