package dev.mlpack.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The upload page at {@code GET /}: one self-contained HTML file (inline CSS and script, no external assets). */
final class Page {
    private Page() {}

    static byte[] html(String modelName, int topK) {
        try (InputStream in = Page.class.getResourceAsStream("index.html")) {
            if (in == null) throw new IllegalStateException("index.html is missing from the server jar");
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("{{NAME}}", escape(modelName)).replace("{{TOPK}}", Integer.toString(topK))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
