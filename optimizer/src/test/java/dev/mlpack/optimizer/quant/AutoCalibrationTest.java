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

        Map<String, Double> scores = auto.calibration().candidateSqnrDb();
        assertEquals(CalibrationMethod.CANDIDATES.stream().map(CalibrationMethod::cliName).sorted().toList(),
                scores.keySet().stream().sorted().toList());
        scores.values().forEach(db -> assertTrue(Double.isFinite(db) && db > 10, "a working int8 model scores well: " + scores));
        String expected = scores.get("mse") > scores.get("minmax") + Int8Conversion.AUTO_MARGIN_DB ? "mse" : "minmax";
        assertEquals(expected, auto.calibration().method(), "min/max unless MSE wins by the margin: " + scores);

        ConversionResult named = int8(tmp.resolve("named.tflite"), images, CalibrationMethod.parse(auto.calibration().method()));
        assertTrue(named.calibration().candidateSqnrDb().isEmpty(), "a named method is not scored");
        assertArrayEquals(Files.readAllBytes(named.output()), Files.readAllBytes(auto.output()));
    }
}
