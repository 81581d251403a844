package dev.mlpack.optimizer.passes;

import static dev.mlpack.optimizer.passes.Patterns.isScalarNear;
import static dev.mlpack.optimizer.passes.Patterns.other;
import static dev.mlpack.optimizer.passes.Patterns.producedBy;

import dev.mlpack.optimizer.ir.Attrs;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ops.Activations;
import dev.mlpack.optimizer.ops.Elementwise;
import dev.mlpack.optimizer.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * Finds activations that frameworks export as arithmetic and replaces each with one op: swish x·σ(x), hard-swish
 * x·relu6(x+3)/6 (in its several spellings) and GELU (erf form, and the tanh approximation). One op is faster,
 * and quantization can then treat it as a unit instead of quantizing its intermediate values.
 * Run after {@link Canonicalize} (constants second, divisions as products) and before activation fusion.
 */
public final class RecognizeActivations implements Pass {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        Map<Value, List<Node>> consumers = graph.consumerIndex();
        for (Node n : graph.nodes()) {
            if (n.op() != Elementwise.MUL || !graph.nodes().contains(n)) continue;
            Value x;
            if ((x = swishInput(n)) != null) {
                replace(graph, n, Activations.SWISH, x, Attrs.NONE);
                changed = true;
            } else if ((x = hardSwishInput(n)) != null) {
                replace(graph, n, Activations.HARD_SWISH, x, Attrs.NONE);
                changed = true;
            }
        }
        for (Node n : graph.nodes()) {
            if (n.op() != Activations.ERF && n.op() != Activations.ERFC && n.op() != Activations.TANH) continue;
            GeluMatch m = geluMatch(n, consumers);
            if (m != null) {
                replace(graph, m.result(), Activations.GELU, m.x(), new Activations.GeluAttrs(n.op() == Activations.TANH));
                changed = true;
            }
        }
        if (changed) graph.removeDeadNodes();
        return changed;
    }

    private static <A extends Attrs> void replace(Graph graph, Node old, OpSpec<A> op, Value x, A attrs) {
        Node fused = graph.add(op, List.of(x), attrs, old.origin(), old.layer());
        graph.replaceAllUses(old.output(), fused.output());
        graph.remove(old);
    }

    /** MUL(x, LOGISTIC(x)) in either order. */
    private static Value swishInput(Node mul) {
        for (int i = 0; i < 2; i++) {
            Node sigmoid = producedBy(mul.input(i), Activations.LOGISTIC);
            if (sigmoid != null && sigmoid.input(0) == mul.input(1 - i)) return mul.input(1 - i);
        }
        return null;
    }

    /** MUL(x, hard_sigmoid(x)), or MUL(MUL(x, relu6(x+3)), 1/6). */
    private static Value hardSwishInput(Node mul) {
        for (int i = 0; i < 2; i++) {
            Value x = mul.input(1 - i);
            if (isHardSigmoidOf(mul.input(i), x)) return x;
        }
        Node inner = producedBy(mul.input(0), Elementwise.MUL);
        if (inner != null && isScalarNear(mul.input(1), 1.0 / 6)) {
            for (int i = 0; i < 2; i++) {
                Value x = inner.input(1 - i);
                if (isRelu6OfXPlus3(inner.input(i), x)) return x;
            }
        }
        return null;
    }

    /** relu6(x+3)·(1/6), or clip(x·(1/6)+0.5, 0, 1) written with MINIMUM and MAXIMUM (or as a fused RELU6 then scale). */
    private static boolean isHardSigmoidOf(Value h, Value x) {
        Node mul = producedBy(h, Elementwise.MUL);
        if (mul != null && isScalarNear(mul.input(1), 1.0 / 6) && isRelu6OfXPlus3(mul.input(0), x)) return true;
        Node outer = producedBy(h, Elementwise.MAXIMUM) != null ? producedBy(h, Elementwise.MAXIMUM) : producedBy(h, Elementwise.MINIMUM);
        if (outer == null) return false;
        Node inner = producedBy(outer.input(0), outer.op() == Elementwise.MAXIMUM ? Elementwise.MINIMUM : Elementwise.MAXIMUM);
        if (inner == null) return false;
        boolean bounds = outer.op() == Elementwise.MAXIMUM
                ? isScalarNear(outer.input(1), 0) && isScalarNear(inner.input(1), 1)
                : isScalarNear(outer.input(1), 1) && isScalarNear(inner.input(1), 0);
        Node add = producedBy(inner.input(0), Elementwise.ADD);
        if (!bounds || add == null || !isScalarNear(add.input(1), 0.5)) return false;
        Node scale = producedBy(add.input(0), Elementwise.MUL);
        return scale != null && scale.input(0) == x && isScalarNear(scale.input(1), 1.0 / 6);
    }

    private static boolean isRelu6OfXPlus3(Value v, Value x) {
        Node relu6 = producedBy(v, Activations.RELU6);
        Node add = relu6 == null ? null : producedBy(relu6.input(0), Elementwise.ADD);
        return add != null && add.input(0) == x && isScalarNear(add.input(1), 3);
    }

    private record GeluMatch(Value x, Node result) {}

    /**
     * From the ERF, ERFC or TANH at its core: 0.5·x·(1 + erf(x/√2)), 0.5·x·erfc(−x/√2), or
     * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), with the products in any of the orders TF and Keras write them.
     */
    private static GeluMatch geluMatch(Node core, Map<Value, List<Node>> consumers) {
        Value x = core.op() == Activations.ERF ? erfArgument(core) : core.op() == Activations.ERFC ? erfcArgument(core) : tanhArgument(core);
        if (x == null) return null;
        Value onePlus = core.output(); // erfc(−z) already equals 1 + erf(z)
        if (core.op() != Activations.ERFC) {
            Node plusOne = single(consumers, core.output(), Elementwise.ADD);
            if (plusOne == null || !isScalarNear(plusOne.input(1), 1)) return null;
            onePlus = plusOne.output();
        }
        Node mul = single(consumers, onePlus, Elementwise.MUL);
        if (mul == null) return null;
        Value y = other(mul, onePlus);
        Node halfX = producedBy(y, Elementwise.MUL);
        if (halfX != null && halfX.input(0) == x && isScalarNear(halfX.input(1), 0.5)) return new GeluMatch(x, mul);
        Node next = single(consumers, mul.output(), Elementwise.MUL);
        if (next == null) return null;
        if (y == x && isScalarNear(next.input(1), 0.5)) return new GeluMatch(x, next);
        if (isScalarNear(y, 0.5) && other(next, mul.output()) == x) return new GeluMatch(x, next);
        return null;
    }

    private static Value erfArgument(Node erf) {
        Node scale = producedBy(erf.input(0), Elementwise.MUL);
        return scale != null && isScalarNear(scale.input(1), INV_SQRT2) ? scale.input(0) : null;
    }

    /** erfc(−x/√2), written as erfc(neg(x)·(1/√2)) or erfc(x·(−1/√2)). */
    private static Value erfcArgument(Node erfc) {
        Node scale = producedBy(erfc.input(0), Elementwise.MUL);
        if (scale == null) return null;
        if (isScalarNear(scale.input(1), -INV_SQRT2)) return scale.input(0);
        Node neg = producedBy(scale.input(0), Elementwise.NEG);
        return neg != null && isScalarNear(scale.input(1), INV_SQRT2) ? neg.input(0) : null;
    }

    private static Value tanhArgument(Node tanh) {
        Node scale = producedBy(tanh.input(0), Elementwise.MUL);
        if (scale == null || !isScalarNear(scale.input(1), SQRT_2_OVER_PI)) return null;
        Node sum = producedBy(scale.input(0), Elementwise.ADD);
        if (sum == null) return null;
        for (int i = 0; i < 2; i++) {
            Node cubic = producedBy(sum.input(1 - i), Elementwise.MUL);
            Value x = sum.input(i);
            if (cubic != null && isScalarNear(cubic.input(1), 0.044715) && isCubeOf(cubic.input(0), x)) return x;
        }
        return null;
    }

    private static boolean isCubeOf(Value v, Value x) {
        Node pow = producedBy(v, Elementwise.POW);
        if (pow != null) return pow.input(0) == x && isScalarNear(pow.input(1), 3);
        Node mul = producedBy(v, Elementwise.MUL);
        if (mul == null) return false;
        Node square = producedBy(other(mul, x), Elementwise.MUL);
        Node sq = producedBy(other(mul, x), Elementwise.SQUARE);
        return (square != null && square.input(0) == x && square.input(1) == x) || (sq != null && sq.input(0) == x);
    }

    private static Node single(Map<Value, List<Node>> consumers, Value v, OpSpec<?> op) {
        List<Node> c = consumers.getOrDefault(v, List.of());
        return c.size() == 1 && c.get(0).op() == op ? c.get(0) : null;
    }
}
