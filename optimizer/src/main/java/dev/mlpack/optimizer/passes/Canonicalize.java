package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Activation;
import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ops.Elementwise;
import dev.mlpack.optimizer.ir.Value;
import java.util.List;

/**
 * Puts arithmetic with constants in one form so later matchers see one pattern: constants second in ADD/MUL,
 * x−c as x+(−c), x/c as x·(1/c), −x as x·(−1) (TFLite 2.19 has no int8 NEG kernel; int8 MUL is exact for it);
 * (x·a)·b as x·(ab) for scalars; and drops x+0, x·1.
 */
public final class Canonicalize implements Pass {
    @Override
    public boolean run(Graph graph) {
        boolean changed = false;
        for (Node n : graph.nodes()) {
            if (n.op() == Elementwise.NEG && n.input(0).dtype().isFloating()) {
                Value minusOne = graph.constant(n.origin() + "/minus_one", Constant.scalar(-1f));
                Node mul = graph.add(Elementwise.MUL, List.of(n.input(0), minusOne), Elementwise.FusedAttrs.NONE, n.origin(), n.layer());
                graph.replaceAllUses(n.output(), mul.output());
                graph.remove(n);
                changed = true;
                continue;
            }
            if (n.op() != Elementwise.ADD && n.op() != Elementwise.MUL && n.op() != Elementwise.SUB && n.op() != Elementwise.DIV) continue;
            Value a = n.input(0), b = n.input(1);
            if (a.isConstant() && !b.isConstant() && (n.op() == Elementwise.ADD || n.op() == Elementwise.MUL)) {
                graph.setInputs(n, List.of(b, a));
                a = n.input(0);
                b = n.input(1);
                changed = true;
            }
            if (!b.isConstant() || a.isConstant() || !a.dtype().isFloating()) continue;
            if (n.op() == Elementwise.SUB || n.op() == Elementwise.DIV) {
                float[] v = b.data().floats();
                for (int i = 0; i < v.length; i++) v[i] = n.op() == Elementwise.SUB ? -v[i] : 1f / v[i];
                Value c = graph.constant(b.name() + (n.op() == Elementwise.SUB ? "/neg" : "/reciprocal"), Constant.ofFloats(b.shape(), v));
                Node replacement = graph.add(n.op() == Elementwise.SUB ? Elementwise.ADD : Elementwise.MUL, List.of(a, c),
                        (Elementwise.FusedAttrs) n.attrs(), n.origin(), n.layer());
                graph.replaceAllUses(n.output(), replacement.output());
                graph.remove(n);
                changed = true;
                continue;
            }
            Node inner = a.producer();
            if (n.op() == Elementwise.MUL && b.data().size() == 1 && inner != null && inner.op() == Elementwise.MUL && inner.input(1).isConstant()
                    && inner.input(1).data().size() == 1 && inner.activation() == Activation.NONE && graph.consumers(a).size() == 1 && !graph.isGraphOutput(a)) {
                Value product = graph.constant(b.name() + "/merged", Constant.scalar(inner.input(1).data().floatAt(0) * b.data().floatAt(0)));
                graph.setInputs(n, List.of(inner.input(0), product));
                changed = true;
                continue;
            }
            boolean identity = n.op() == Elementwise.ADD ? b.data().allEqual(0) : b.data().allEqual(1);
            if (identity && n.output().shape().equals(a.shape()) && n.activation() == Activation.NONE) {
                graph.replaceAllUses(n.output(), a);
                graph.remove(n);
                changed = true;
            }
        }
        return changed;
    }
}
