import dev.mlpack.optimizer.data.Dataset;
import dev.mlpack.optimizer.data.Dataset.Sample;
import dev.mlpack.runtime.image.ImageDecoder;
import dev.mlpack.runtime.image.ImagePipeline;
import dev.mlpack.runtime.image.Preprocess;
import dev.mlpack.runtime.image.Resize;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Dumps a subset of a DATA argument through mlpack's own image pipeline, so that a peer (TF's
 * official converter, a Python evaluation) sees exactly the arrays mlpack sees.
 *
 * <pre>
 * DumpInputs DATA SELECT H W RESIZE PREPROCESS OUT_PREFIX [--no-float]
 * </pre>
 *
 * SELECT is a chain of steps joined by '+', applied left to right to {@code Dataset.open(DATA,
 * null)}: {@code all}, {@code even} / {@code odd} (0-based row or listing positions), {@code
 * sample:N} ({@code Dataset.sample(N)}, the stratified pick mlpack's --calibration-samples makes),
 * {@code rest:N} (the dataset excluding {@code sample(N)}), {@code head:N}, {@code skip:N}.
 *
 * <p>Writes OUT_PREFIX.f32 (little-endian float32 [N,H,W,3], resized and preprocessed: what a
 * float model takes), OUT_PREFIX.u8 (uint8 [N,H,W,3], resized and rounded, not preprocessed: what
 * mlpack's int8 model with --io uint8 takes), OUT_PREFIX.csv ("absolute path",label rows, quoted,
 * usable as --calibration DATA) and OUT_PREFIX.labels (one label index per line). Prints N.
 */
public final class DumpInputs {

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: DumpInputs DATA SELECT H W RESIZE PREPROCESS OUT_PREFIX [--no-float]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        int h = Integer.parseInt(args[2]);
        int w = Integer.parseInt(args[3]);
        ImagePipeline pipeline = new ImagePipeline(h, w, Resize.parse(args[4]), Preprocess.parse(args[5]));
        String prefix = args[6];
        boolean floats = !(args.length > 7 && args[7].equals("--no-float"));

        List<Sample> samples = select(Dataset.open(data, null), args[1]);
        ImageDecoder decoder = new ImageDecoder();
        Path parent = Path.of(prefix).toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (OutputStream f32 = floats ? new BufferedOutputStream(Files.newOutputStream(Path.of(prefix + ".f32")), 1 << 20) : OutputStream.nullOutputStream();
             OutputStream u8 = new BufferedOutputStream(Files.newOutputStream(Path.of(prefix + ".u8")), 1 << 20);
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(prefix + ".csv"), StandardCharsets.UTF_8));
             PrintWriter labels = new PrintWriter(Files.newBufferedWriter(Path.of(prefix + ".labels"), StandardCharsets.UTF_8))) {
            ByteBuffer buf = ByteBuffer.allocate(h * w * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Sample s : samples) {
                var image = decoder.decode(s.file());
                u8.write(pipeline.toUint8(image));
                if (floats) {
                    buf.clear();
                    buf.asFloatBuffer().put(pipeline.toFloats(image));
                    f32.write(buf.array());
                }
                String path = s.file().toAbsolutePath().normalize().toString();
                csv.print('"' + path.replace("\"", "\"\"") + "\"," + s.label() + "\n");
                labels.print(s.label() + "\n");
            }
        }
        System.out.println(samples.size());
    }

    static List<Sample> select(Dataset all, String spec) {
        List<Sample> current = all.samples();
        boolean first = true;
        for (String step : spec.split("\\+")) {
            String[] kv = step.split(":", 2);
            int n = kv.length > 1 ? Integer.parseInt(kv[1]) : 0;
            if ((kv[0].equals("sample") || kv[0].equals("rest")) && !first) {
                throw new IllegalArgumentException(kv[0] + " must be the first SELECT step");
            }
            List<Sample> s = current;
            List<Sample> next = new ArrayList<>();
            switch (kv[0]) {
                case "all" -> next = s;
                case "sample" -> next = all.sample(n).samples();
                case "rest" -> next = all.excluding(all.sample(n)).samples();
                default -> {
                    for (int i = 0; i < s.size(); i++) {
                        boolean keep = switch (kv[0]) {
                            case "even" -> i % 2 == 0;
                            case "odd" -> i % 2 == 1;
                            case "head" -> i < n;
                            case "skip" -> i >= n;
                            default -> throw new IllegalArgumentException("unknown SELECT step " + step);
                        };
                        if (keep) {
                            next.add(s.get(i));
                        }
                    }
                }
            }
            current = next;
            first = false;
        }
        return current;
    }
}
