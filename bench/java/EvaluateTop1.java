import dev.mlpack.optimizer.eval.EvaluationReport;
import dev.mlpack.optimizer.eval.EvaluationRequest;
import dev.mlpack.optimizer.eval.Evaluator;
import java.nio.file.Path;

/**
 * Per-image top-1 of `mlpack evaluate` (the same Evaluator the command runs) for bench/server_bench.sh's
 * correctness check: the model is both reference and candidate; prints "FILE<TAB>TOP1_INDEX" per image.
 *
 *   usage: java -cp "cli/target/mlpack.jar:cli/target/lib/*" bench/java/EvaluateTop1.java MODEL DATA LABELS
 */
public final class EvaluateTop1 {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        EvaluationReport r = Evaluator.evaluate(EvaluationRequest.builder(model, model, Path.of(args[1]))
                .labels(Path.of(args[2])).threads(1).build());
        for (EvaluationReport.ImageResult i : r.images()) System.out.println(Path.of(i.file()).toAbsolutePath() + "\t" + i.candidateTop1());
    }
}
