package dev.mlpack.optimizer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.ConversionRequest;
import dev.mlpack.optimizer.ConversionResult;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.Quantize;
import dev.mlpack.optimizer.data.CalibrationSet;
import dev.mlpack.optimizer.progress.Progress;
import dev.mlpack.optimizer.testing.Samples;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --calibration-method auto}: both candidates are scored on calibration images and the choice is reproducible. */
class AutoCalibrationTest {
    @TempDir Path tmp;

    private ConversionResult int8(Path out, CalibrationSet images, CalibrationMethod method) {
        return Converter.convert(ConversionRequest.builder(Samples.model(), out).quantize(Quantize.INT8)
                .calibrationSet(images).calibrationMethod(method).build());
    }

    @Test
    void autoScoresEveryCandidateAndWritesWhatItsChoiceWouldWrite() throws Exception {
        CalibrationSet images = CalibrationSet.load(Samples.root().resolve("images"), 20,
                new ImagePipeline(32, 32, Resize.BILINEAR, Preprocess.TF), Progress.none());
        ConversionResult auto = int8(tmp.resolve("auto.tflite"), images, CalibrationMethod.AUTO);

        Map<String, Double> meanKl = auto.calibration().candidateMeanKl();
        assertEquals(CalibrationMethod.CANDIDATES.stream().map(CalibrationMethod::cliName).sorted().toList(),
                meanKl.keySet().stream().sorted().toList());
        meanKl.values().forEach(kl -> assertTrue(kl >= 0 && kl < 0.1, "a working int8 model stays close to float: " + meanKl));
        String expected = meanKl.get("mse") < (1 - Int8Conversion.AUTO_MARGIN) * meanKl.get("minmax") ? "mse" : "minmax";
        assertEquals(expected, auto.calibration().method(), "min/max unless MSE is closer by the margin: " + meanKl);

        ConversionResult named = int8(tmp.resolve("named.tflite"), images, CalibrationMethod.parse(auto.calibration().method()));
        assertTrue(named.calibration().candidateMeanKl().isEmpty(), "a named method is not scored");
        assertArrayEquals(Files.readAllBytes(named.output()), Files.readAllBytes(auto.output()));
    }
}
