package dev.mlpack.server;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.quant.Int8Quantizer;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bundled sample (samples/model, Fashion-MNIST at 32x32) converted to int8 with raw uint8 pixel input and
 * its labels in the metadata, exactly as {@code mlpack demo} and the README do. Converted once per build into
 * server/target/test-models and reused, so the tests need neither Python nor ../shared.
 */
final class TestModels {
    private TestModels() {}

    static Path repo() {
        String p = System.getProperty("mlpack.repo");
        if (p != null && Files.isDirectory(Path.of(p, "samples"))) return Path.of(p).toAbsolutePath();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("samples")) && Files.isDirectory(d.resolve("server"))) return d;
        }
        throw new IllegalStateException("cannot find the repository (samples/)");
    }

    static Path samples() { return repo().resolve("samples"); }

    /** An image of class {@code label} from samples/images (PNG). */
    static Path sampleImage(String label) {
        try (var s = Files.list(samples().resolve("images").resolve(label))) {
            return s.sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized Path sampleInt8() {
        Path out = repo().resolve("server/target/test-models/sample-int8.tflite");
        if (Files.isRegularFile(out)) return out;
        try {
            Files.createDirectories(out.getParent());
            Path tmp = Files.createTempFile(out.getParent(), "sample-int8", ".tflite");
            Converter.convert(ConversionRequest.builder(samples().resolve("model"), tmp).quantize(Quantize.INT8)
                    .calibration(samples().resolve("images")).calibrationSamples(50).preprocess(Preprocess.TF)
                    .resize(Resize.BILINEAR).labels(samples().resolve("labels.txt")).io(Int8Quantizer.Io.UINT8).build());
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
