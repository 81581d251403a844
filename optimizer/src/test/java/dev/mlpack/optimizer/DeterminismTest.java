package dev.mlpack.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.mlpack.optimizer.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Converting the same model twice gives byte-identical files, so outputs can be cached, diffed and signed. */
class DeterminismTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(Quantize.class)
    void convertingTwiceGivesIdenticalBytes(Quantize quantize) throws Exception {
        Path a = tmp.resolve("a.tflite"), b = tmp.resolve("b.tflite");
        Converter.convert(request(a, quantize));
        Converter.convert(request(b, quantize));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    private static ConversionRequest request(Path out, Quantize quantize) {
        return ConversionRequest.builder(Samples.model(), out).quantize(quantize)
                .calibration(Samples.root().resolve("images")).calibrationSamples(40).build();
    }
}
