package dev.mlpack.optimizer.quant;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.DType;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.LayerPatterns;
import dev.mlpack.optimizer.ir.Int8Spec;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.OperandRoles;
import dev.mlpack.optimizer.ir.Padding;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ops.Elementwise;
import dev.mlpack.optimizer.ops.Linear;
import dev.mlpack.optimizer.ops.Shapes;
import dev.mlpack.optimizer.ops.Storage;
import dev.mlpack.optimizer.ir.QuantParams;
import dev.mlpack.optimizer.ir.Shape;
import dev.mlpack.optimizer.ir.Value;
import dev.mlpack.optimizer.ir.Window;
import dev.mlpack.optimizer.ir.WindowAttrs;
import dev.mlpack.optimizer.quant.RangeSelector.Range;
import dev.mlpack.runtime.image.Preprocess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Full-integer quantization by TFLite's int8 specification: int8 activations (asymmetric, per tensor), int8 weights
 * (symmetric, per output channel), int32 biases with scale = input scale × weight scale, the fixed output ranges
 * of SOFTMAX/LOGISTIC/TANH, and shared parameters where a kernel requires them (see {@link OpSpec#int8()}); which input is the weight, the bias
 * and the activation comes from each op's {@link OpSpec#roles()}.
 * Ops without an int8 kernel stay float between DEQUANTIZE and QUANTIZE and are reported, never silently.
 */
public final class Int8Quantizer {
    /** What the quantized model's input and output tensors hold. */
    public enum Io {
        /** Raw RGB pixels 0..255 in, float scores out; the preprocessing runs inside the model. */
        UINT8,
        /** int8 in and out, with the model's own quantization parameters. */
        INT8,
        /** The SavedModel's float input (preprocessed values) and float output. */
        FLOAT32
    }

    /**
     * How to quantize. {@code floatLayers} are layer-name globs (see {@link LayerPatterns}) of layers kept in float,
     * between DEQUANTIZE and QUANTIZE: the per-layer fallback for layers too sensitive to int8 weights.
     */
    public record Settings(CalibrationMethod method, Io io, Preprocess preprocess, boolean biasCorrection, boolean floatOutputSoftmax,
                           List<String> floatLayers) {
        public Settings {
            floatLayers = List.copyOf(floatLayers);
        }

        public Settings withMethod(CalibrationMethod m) {
            return new Settings(m, io, preprocess, biasCorrection, floatOutputSoftmax, floatLayers);
        }

        public Settings withIo(Io i) {
            return new Settings(method, i, preprocess, biasCorrection, floatOutputSoftmax, floatLayers);
        }
    }

    /**
     * How much rounding to int8 (symmetric, per output channel) disturbs one layer's weights: the error's energy over
     * the weights' energy, in dB (-40 is 1%). Layers with a few outlying weights per channel score high.
     */
    public record LayerNoise(String layer, double weightNoiseDb) {}

    /** The rewritten graph, the parameters of every quantized tensor, and the ops left in float (by TFLite name). */
    public record Result(Graph graph, Map<Value, QuantParams> params, List<String> floatOps) {}

    private final Graph graph;
    private final Map<Value, TensorStats> stats;
    private final Settings settings;
    private final Map<Value, QuantParams> params = new IdentityHashMap<>();
    private final Map<Value, Value> parent = new IdentityHashMap<>();

    private Int8Quantizer(Graph graph, Map<Value, TensorStats> stats, Settings settings) {
        this.graph = graph;
        this.stats = stats;
        this.settings = settings;
    }

    /** Quantizes {@code graph} in place; it must be the legalized float graph that produced {@code stats}. */
    public static Result quantize(Graph graph, Map<Value, TensorStats> stats, Settings settings) {
        return new Int8Quantizer(graph, stats, settings).run();
    }

    private Result run() {
        List<Node> nodes = graph.nodes();
        Set<Node> floatNodes = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : nodes) if (!runsInInt8(n)) floatNodes.add(n);
        floatNodes.addAll(requestedFloatLayers(nodes));
        if (settings.floatOutputSoftmax()) {
            for (Value out : graph.outputs().values()) {
                if (out.producer() != null && out.producer().op() == Activations.SOFTMAX) floatNodes.add(out.producer());
            }
        }
        assignActivationParams(nodes, floatNodes);
        if (settings.biasCorrection()) correctBiases(nodes, floatNodes);
        quantizeConstants(nodes, floatNodes);
        insertDomainCrossings(nodes, floatNodes);
        setUpInputs();
        setUpOutputs();
        graph.removeDeadNodes();
        graph.sortTopologically();
        List<String> floatOps = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (floatNodes.contains(n)) floatOps.add(n.op().name() + " (" + n.origin() + ")");
        }
        return new Result(graph, params, floatOps);
    }

    /** The nodes of the layers {@code --float-layers} names; a pattern that names no layer is the user's mistake. */
    private List<Node> requestedFloatLayers(List<Node> nodes) {
        List<Node> out = new ArrayList<>();
        for (String glob : settings.floatLayers()) {
            List<Node> matched = nodes.stream().filter(n -> LayerPatterns.matchesAny(List.of(glob), n.layerName())).toList();
            if (matched.isEmpty()) {
                List<String> names = weightNoise(graph).stream().map(LayerNoise::layer).limit(8).toList();
                throw ConversionException.badInput("--float-layers " + glob + " names no layer of this model; its most int8-sensitive"
                        + " layers are " + String.join(", ", names));
            }
            out.addAll(matched);
        }
        return out;
    }

    /** Every layer with constant weights, the one whose weights int8 disturbs most first. */
    public static List<LayerNoise> weightNoise(Graph graph) {
        Map<String, Double> worst = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            OperandRoles roles = n.op().roles();
            if (!roles.constantWeights(n) || !n.input(roles.weights()).data().isFloating()) continue;
            Constant w = n.input(roles.weights()).data();
            QuantParams p = symmetricPerChannel(w, roles.weightChannelAxis());
            double[] rounded = p.dequantize(p.quantize(w), w.shape());
            float[] v = w.floatView();
            double error = 0, signal = 0;
            for (int i = 0; i < v.length; i++) {
                double e = rounded[i] - v[i];
                error += e * e;
                signal += (double) v[i] * v[i];
            }
            double db = signal > 0 ? 10 * Math.log10(Math.max(error, 1e-30) / signal) : -300;
            worst.merge(n.layerName(), db, Math::max);
        }
        List<LayerNoise> out = new ArrayList<>();
        worst.forEach((layer, db) -> out.add(new LayerNoise(layer, db)));
        out.sort(Comparator.comparingDouble(LayerNoise::weightNoiseDb).reversed());
        return out;
    }

    private static boolean runsInInt8(Node n) {
        if (n.op().int8().rule() == Int8Spec.Rule.FLOAT_ONLY) return false;
        for (Value v : n.inputs()) if (v != null && !v.isConstant() && v.dtype() != DType.FLOAT32) return false;
        return n.outputs().stream().allMatch(v -> v.dtype() == DType.FLOAT32);
    }

    /**
     * Dynamic-range quantization: int8 per-channel weights for convolutions and fully connected layers, float
     * activations; TFLite's hybrid kernels quantize activations on the fly. Needs no calibration.
     */
    public static Map<Value, QuantParams> weightsOnly(Graph graph) {
        Map<Value, QuantParams> out = new IdentityHashMap<>();
        for (Node n : graph.nodes()) {
            OperandRoles roles = n.op().roles();
            if (roles.constantWeights(n)) out.put(n.input(roles.weights()), symmetricPerChannel(n.input(roles.weights()).data(), roles.weightChannelAxis()));
        }
        return out;
    }

    // ---- activation parameters ------------------------------------------------------------------------------

    private Value find(Value v) {
        Value p = parent.getOrDefault(v, v);
        if (p == v) return v;
        Value root = find(p);
        parent.put(v, root);
        return root;
    }

    private void union(Value a, Value b) {
        Value ra = find(a), rb = find(b);
        if (ra != rb) parent.put(ra, rb);
    }

    private void assignActivationParams(List<Node> nodes, Set<Node> floatNodes) {
        Map<Value, QuantParams> fixed = new IdentityHashMap<>();
        for (Node n : nodes) {
            if (floatNodes.contains(n)) continue;
            Int8Spec spec = n.op().int8();
            switch (spec.rule()) {
                case SAME_AS_INPUT -> {
                    int[] indices = spec.sharedInputs();
                    List<Value> shared = indices == null ? n.inputs() : java.util.Arrays.stream(indices).mapToObj(n::input).toList();
                    for (Value v : shared) if (v != null && v.dtype() == DType.FLOAT32) union(v, n.output());
                }
                case FIXED_PROBABILITY -> fixed.put(n.output(), QuantParams.perTensor(DType.INT8, 1f / 256, -128));
                case FIXED_SIGNED_UNIT -> fixed.put(n.output(), QuantParams.perTensor(DType.INT8, 1f / 128, 0));
                default -> { }
            }
        }
        Map<Value, Range> groupRange = new IdentityHashMap<>();
        Map<Value, QuantParams> groupFixed = new IdentityHashMap<>();
        List<Value> members = new ArrayList<>(stats.keySet());
        for (Value v : parent.keySet()) if (v.isConstant()) members.add(v);
        for (Value v : members) {
            Value root = find(v);
            Range r = v.isConstant() ? rangeOf(v.data()) : RangeSelector.select(stats.get(v), settings.method());
            groupRange.merge(root, r, Range::union);
            if (fixed.containsKey(v)) groupFixed.put(root, fixed.get(v));
        }
        for (Value v : members) {
            Value root = find(v);
            QuantParams p = groupFixed.getOrDefault(root, null);
            params.put(v, p != null ? p : asymmetric(groupRange.get(root)));
        }
    }

    private static Range rangeOf(Constant c) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < c.size(); i++) {
            lo = Math.min(lo, c.floatAt(i));
            hi = Math.max(hi, c.floatAt(i));
        }
        return new Range(lo, hi);
    }

    /**
     * Smallest activation scale written. Calibration can see a layer whose activations died out (range ~1e-9); TFLite
     * computes a fused activation's bound as round(6 / scale) in int32 and refuses the model when that overflows.
     * At 1e-7 every bound fits, and values that small are below any other tensor's resolution anyway.
     */
    static final double MIN_ACTIVATION_SCALE = 1e-7;

    /** int8 parameters covering [lo, hi], with 0 exactly representable (zero padding must stay exact). */
    static QuantParams asymmetric(Range r) {
        double lo = r.lo(), hi = r.hi();
        double scale = Math.max((hi - lo) / 255.0, MIN_ACTIVATION_SCALE);
        long zero = Math.round(-128 - lo / scale);
        return QuantParams.perTensor(DType.INT8, (float) scale, Math.max(-128, Math.min(127, zero)));
    }

    // ---- weights, biases, other constants ---------------------------------------------------------------------

    static QuantParams symmetricPerChannel(Constant w, int axis) {
        int[] dims = w.shape().dims();
        int channels = dims[axis];
        int inner = 1;
        for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
        float[] maxAbs = new float[channels];
        float[] v = w.floatView();
        for (int i = 0; i < v.length; i++) {
            int c = (i / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        return new QuantParams(DType.INT8, scales, new long[channels], axis);
    }

    private void quantizeConstants(List<Node> nodes, Set<Node> floatNodes) {
        for (Node n : nodes) {
            if (floatNodes.contains(n)) continue;
            OperandRoles roles = n.op().roles();
            if (roles.constantWeights(n)) {
                QuantParams w = symmetricPerChannel(n.input(roles.weights()).data(), roles.weightChannelAxis());
                params.put(n.input(roles.weights()), w);
                Value bias = roles.bias() < 0 ? null : n.input(roles.bias());
                if (bias != null && bias.isConstant()) {
                    float inputScale = params.get(n.input(roles.activation())).scale();
                    float[] scales = new float[w.scales().length];
                    for (int c = 0; c < scales.length; c++) scales[c] = inputScale * w.scales()[c];
                    params.put(bias, new QuantParams(DType.INT32, scales, new long[scales.length], 0));
                }
                continue;
            }
            for (Value v : n.inputs()) {
                if (v == null || !v.isConstant() || v.dtype() != DType.FLOAT32 || params.containsKey(v)) continue;
                params.put(v, asymmetric(rangeOf(v.data())));
            }
        }
    }

    /**
     * Moves each layer's expected output shift caused by weight rounding, E[(Wq − W)·x], into its bias, using the
     * per-channel means of its input seen during calibration and, for a convolution, how often each kernel tap reads
     * the input rather than SAME padding ({@link #tapCoverage}).
     */
    private void correctBiases(List<Node> nodes, Set<Node> floatNodes) {
        for (Node n : nodes) {
            OperandRoles roles = n.op().roles();
            // The correction's geometry (tap coverage, the input's channel means per weight) holds for kernels that
            // read the activation in input 0 with weights in input 1: convolutions, depthwise and fully connected.
            if (floatNodes.contains(n) || !roles.constantWeights(n) || roles.activation() != 0 || roles.weights() != 1) continue;
            TensorStats in = stats.get(n.input(0));
            if (in == null || in.channelSums == null) continue;
            double[] mean = in.channelMeans();
            Constant w = n.input(1).data();
            QuantParams p = symmetricPerChannel(w, roles.weightChannelAxis());
            long[] q = p.quantize(w);
            float[] wf = w.floatView();
            int[] dims = w.shape().dims();
            int outChannels = dims[roles.weightChannelAxis()];
            int inChannels = mean.length;
            int lastDim = dims[dims.length - 1];
            double[] coverage = tapCoverage(n);
            double[] shift = new double[outChannels];
            for (int i = 0; i < wf.length; i++) {
                int out, inCh;
                if (roles.weightChannelAxis() != 0) { // depthwise: output channels last, c·M + m
                    out = i % outChannels;
                    inCh = out / Math.max(1, outChannels / inChannels);
                } else {
                    out = i / (wf.length / outChannels);
                    inCh = i % lastDim;
                }
                double error = q[i] * (double) p.scales()[p.perChannel() ? out : 0] - wf[i];
                shift[out] += error * mean[Math.min(inCh, inChannels - 1)] * coverage[(i / lastDim) % coverage.length];
            }
            float[] bias = n.input(roles.bias()) == null ? new float[outChannels] : n.input(roles.bias()).data().floats();
            for (int c = 0; c < outChannels; c++) bias[c] -= (float) shift[c];
            graph.setInput(n, roles.bias(), graph.constant(n.origin() + "/bias", Constant.ofFloats(Shape.of(outChannels), bias)));
        }
    }

    /**
     * For each kernel tap (row-major over the kernel's height and width; one entry for a fully connected layer), the
     * share of output positions where it reads the input rather than SAME padding. Deep in a network the feature maps
     * are small (3×3 at a 96×96 input), where a 3×3 tap reads padding at 40% of the positions: a correction that
     * assumed every tap sees the channel mean would overshoot by that much (measured: 2.2 dB of output SQNR on
     * Xception, 0.9 on InceptionV3).
     */
    private static double[] tapCoverage(Node n) {
        if (!(n.attrs() instanceof WindowAttrs window) || n.input(0).shape().rank() != 4) return new double[] {1};
        int[] x = n.input(0).shape().dims(), w = n.input(1).shape().dims();
        int[] strides = window.strides(), dilations = window.dilations();
        Padding padding = window.padding();
        double[] rows = Window.tapCoverage(x[1], w[1], strides[0], dilations[0], padding);
        double[] cols = Window.tapCoverage(x[2], w[2], strides[1], dilations[1], padding);
        double[] out = new double[rows.length * cols.length];
        for (int r = 0; r < rows.length; r++) for (int c = 0; c < cols.length; c++) out[r * cols.length + c] = rows[r] * cols[c];
        return out;
    }

    // ---- float fallback and the model's boundary ----------------------------------------------------------------

    private static final Shapes.TypeAttrs TO_INT8 = new Shapes.TypeAttrs(DType.INT8);

    private final Map<Value, Value> quantizedCopy = new IdentityHashMap<>();
    private final Map<Value, Value> floatCopy = new IdentityHashMap<>();

    private void insertDomainCrossings(List<Node> nodes, Set<Node> floatNodes) {
        Set<Value> floatDomain = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : nodes) {
            boolean isFloat = floatNodes.contains(n);
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.input(i);
                if (v == null || v.isConstant() || v.dtype() != DType.FLOAT32) continue;
                if (isFloat && !floatDomain.contains(v)) graph.setInput(n, i, dequantized(v));
                else if (!isFloat && floatDomain.contains(v)) graph.setInput(n, i, quantized(v));
            }
            if (isFloat) {
                floatDomain.addAll(n.outputs());
                for (Value v : n.inputs()) if (v != null && v.isConstant()) params.remove(v);
            }
        }
        for (Value out : floatDomain) params.remove(out);
    }

    private Value quantized(Value floatValue) {
        return quantizedCopy.computeIfAbsent(floatValue, v -> {
            Node q = graph.add(Storage.QUANTIZE, List.of(v), TO_INT8, v.name() + "/quantize", "");
            params.put(q.output(), params.get(v));
            return q.output();
        });
    }

    private Value dequantized(Value int8Value) {
        return floatCopy.computeIfAbsent(int8Value, v ->
                graph.add(Storage.DEQUANTIZE, List.of(v), v.name() + "/dequantize", "").output());
    }

    private void setUpInputs() {
        for (Map.Entry<String, Value> e : new LinkedHashMap<>(graph.inputs()).entrySet()) {
            Value in = e.getValue();
            QuantParams target = params.get(in);
            if (target == null) continue;
            switch (settings.io()) {
                case INT8 -> { }
                case FLOAT32 -> {
                    Value f = graph.replaceInput(e.getKey(), DType.FLOAT32);
                    Node q = graph.add(Storage.QUANTIZE, List.of(f), TO_INT8, e.getKey() + "/quantize", "");
                    graph.replaceAllUses(in, q.output());
                    params.put(q.output(), target);
                }
                case UINT8 -> rawPixelFront(e.getKey(), in, target);
            }
        }
    }

    /**
     * Raw uint8 pixels in (RGB, or one gray channel): DEQUANTIZE to float then QUANTIZE to int8 (exact: q = p − 128),
     * then the preprocessing as a 1×1 convolution whose per-channel weights and bias are Keras's preprocess_input
     * (including caffe's RGB→BGR swap). Each output channel has one non-zero weight, so per-channel quantization stores
     * it exactly. A single uint8→int8 QUANTIZE would do the same, but XNNPACK does not take it and TFLite 2.19's own
     * kernel for it doubled a small MobileNet's latency (4.0 vs 2.0 ms); the two converts both run inside XNNPACK.
     */
    private void rawPixelFront(String name, Value in, QuantParams target) {
        int channels = in.shape().rank() == 4 ? in.shape().dim(3) : 0;
        if (channels != 3 && channels != 1) {
            throw dev.mlpack.optimizer.errors.ConversionException.badInput("--io uint8 takes RGB or grayscale pixels, but input '" + name
                    + "' has shape " + in.shape() + "; use --io float32 or --io int8 for this model");
        }
        Value pixels = graph.replaceInput(name, DType.UINT8);
        params.put(pixels, QuantParams.perTensor(DType.UINT8, 1f, 0));
        Value real = graph.add(Storage.DEQUANTIZE, List.of(pixels), name + "/pixels", "").output();
        Preprocess p = settings.preprocess();
        if (p == Preprocess.RAW) {
            Node q = graph.add(Storage.QUANTIZE, List.of(real), TO_INT8, name + "/quantize", "");
            params.put(q.output(), target);
            graph.replaceAllUses(in, q.output());
            return;
        }
        Node q = graph.add(Storage.QUANTIZE, List.of(real), TO_INT8, name + "/quantize", "");
        params.put(q.output(), QuantParams.perTensor(DType.INT8, 1f, -128));
        float[] offset = p.apply(new float[channels], channels);
        float[] weights = new float[channels * channels]; // OHWI with H = W = 1: [out][in]
        for (int c = 0; c < channels; c++) {
            float[] unit = new float[channels];
            unit[c] = 1;
            float[] response = p.apply(unit, channels);
            for (int o = 0; o < channels; o++) weights[o * channels + c] = response[o] - offset[o];
        }
        Value w = graph.constant(name + "/preprocess/weights", Constant.ofFloats(Shape.of(channels, 1, 1, channels), weights));
        Value b = graph.constant(name + "/preprocess/bias", Constant.ofFloats(Shape.of(channels), offset));
        Node conv = graph.add(Linear.CONV_2D, List.of(q.output(), w, b), new Linear.ConvAttrs(new int[] {1, 1}, new int[] {1, 1},
                Padding.VALID, Activation.NONE), name + "/preprocess", "preprocessing");
        QuantParams wp = symmetricPerChannel(w.data(), 0);
        params.put(w, wp);
        float[] biasScales = new float[channels];
        for (int c = 0; c < channels; c++) biasScales[c] = wp.scales()[c];
        params.put(b, new QuantParams(DType.INT32, biasScales, new long[channels], 0));
        params.put(conv.output(), target);
        graph.replaceAllUses(in, conv.output());
    }

    private void setUpOutputs() {
        if (settings.io() == Io.INT8) return;
        for (Map.Entry<String, Value> e : new LinkedHashMap<>(graph.outputs()).entrySet()) {
            Value out = e.getValue();
            if (!params.containsKey(out)) continue;
            graph.setOutput(e.getKey(), dequantized(out));
        }
    }
}
