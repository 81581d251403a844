package dev.mlpack.optimizer.eval;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.Converter;
import dev.mlpack.optimizer.keras.PreprocessingInference;
import dev.mlpack.optimizer.tf.ImportRepairs;
import dev.mlpack.optimizer.tf.SavedModelImporter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What mlpack's importer finds in a SavedModel reference: whether its serving function runs BatchNormalization in
 * training mode, and the preprocessing its graph shows. Unknown (no repairs, no preprocessing) when the importer
 * cannot read the model, which need not stop an evaluation: TensorFlow runs the reference either way.
 */
record SourceFacts(ImportRepairs repairs, Optional<PreprocessingInference.Evidence> preprocessing) {
    static final SourceFacts UNKNOWN = new SourceFacts(ImportRepairs.NONE, Optional.empty());

    static SourceFacts of(Path savedModel, String signature) {
        try {
            SavedModelImporter.Imported imported = Converter.importGraph(savedModel, signature);
            return new SourceFacts(imported.repairs(), PreprocessingInference.infer(imported.graph()));
        } catch (ConversionException unreadable) {
            return UNKNOWN;
        }
    }
}
