package dev.mlpack.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Which endpoint a request path names. {@link #name()} is a fixed string (the path pattern) for metrics and
 * logs, so that arbitrary paths never become metric labels.
 *
 * <p>TF Serving's paths are {@code /v1/models/NAME[/versions/N | /labels/L][:predict | /metadata]}; this server has
 * one version, {@value TfServing#VERSION}, and no labels, so any other version or a label is 404, as TF Serving answers
 * a servable it does not have.
 *
 * @param detail what the 404 names (model, version or label), else null
 */
record Route(Kind kind, String name, String detail) {
    enum Kind { PAGE, PING, PREDICT, METRICS, TFS_STATUS, TFS_METADATA, TFS_PREDICT, UNKNOWN_MODEL, UNKNOWN_VERSION, NOT_FOUND }

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
        String rest = URLDecoder.decode(path.substring(MODELS.length()), StandardCharsets.UTF_8);
        Kind kind;
        String pattern;
        if (rest.endsWith(":predict")) {
            kind = Kind.TFS_PREDICT;
            pattern = "/v1/models/:predict";
            rest = rest.substring(0, rest.length() - ":predict".length());
        } else if (rest.endsWith("/metadata")) {
            kind = Kind.TFS_METADATA;
            pattern = "/v1/models/metadata";
            rest = rest.substring(0, rest.length() - "/metadata".length());
        } else {
            kind = Kind.TFS_STATUS;
            pattern = "/v1/models";
        }
        String name = rest;
        String version = null;
        String label = null;
        int versions = rest.indexOf("/versions/");
        int labels = rest.indexOf("/labels/");
        if (versions >= 0) {
            name = rest.substring(0, versions);
            version = rest.substring(versions + "/versions/".length());
        } else if (labels >= 0) {
            name = rest.substring(0, labels);
            label = rest.substring(labels + "/labels/".length());
        }
        if (!name.equals(modelName)) {
            return new Route(Kind.UNKNOWN_MODEL, "/v1/models/?", "Servable not found for request: Latest(" + name + ")");
        }
        if (version != null && !version.equals(TfServing.VERSION)) {
            return new Route(Kind.UNKNOWN_VERSION, "/v1/models/?", "Servable not found for request: Specific(" + name + ", " + version + ")");
        }
        if (label != null) {
            return new Route(Kind.UNKNOWN_VERSION, "/v1/models/?", "Unrecognized servable version label: " + label);
        }
        return new Route(kind, pattern, name);
    }
}
