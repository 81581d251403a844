package dev.mlpack.optimizer;

import java.nio.file.Path;
import java.util.Objects;

/** What to convert and how. Build with {@link #builder(Path, Path)}. */
public record ConversionRequest(Path model, Path output, Quantize quantize, String signature) {
    public ConversionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(quantize, "quantize");
        Objects.requireNonNull(signature, "signature");
    }

    public static Builder builder(Path model, Path output) { return new Builder(model, output); }

    public static final class Builder {
        private final Path model;
        private final Path output;
        private Quantize quantize = Quantize.NONE;
        private String signature = "serving_default";

        private Builder(Path model, Path output) {
            this.model = model;
            this.output = output;
        }

        public Builder quantize(Quantize q) {
            this.quantize = q;
            return this;
        }

        public Builder signature(String s) {
            if (s != null) this.signature = s;
            return this;
        }

        public ConversionRequest build() { return new ConversionRequest(model, output, quantize, signature); }
    }
}
