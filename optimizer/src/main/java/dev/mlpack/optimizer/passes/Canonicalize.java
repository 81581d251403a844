package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.Op;
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
            if (n.op() == Op.NEG && n.input(0).dtype().isFloating()) {
                Value minusOne = graph.constant(n.origin() + "/minus_one", Constant.scalar(-1f));
                Node mul = graph.add(Op.MUL, List.of(n.input(0), minusOne), java.util.Map.of(), n.origin(), n.layer());
                graph.replaceAllUses(n.output(), mul.output());
                graph.remove(n);
                changed = true;
                continue;
            }
            if (n.op() != Op.ADD && n.op() != Op.MUL && n.op() != Op.SUB && n.op() != Op.DIV) continue;
            Value a = n.input(0), b = n.input(1);
            if (a.isConstant() && !b.isConstant() && (n.op() == Op.ADD || n.op() == Op.MUL)) {
                graph.setInputs(n, List.of(b, a));
                a = n.input(0);
                b = n.input(1);
                changed = true;
            }
            if (!b.isConstant() || a.isConstant() || !a.dtype().isFloating()) continue;
            if (n.op() == Op.SUB || n.op() == Op.DIV) {
                float[] v = b.data().floats();
                for (int i = 0; i < v.length; i++) v[i] = n.op() == Op.SUB ? -v[i] : 1f / v[i];
                Value c = graph.constant(b.name() + (n.op() == Op.SUB ? "/neg" : "/reciprocal"), Constant.ofFloats(b.shape(), v));
                Node replacement = graph.add(n.op() == Op.SUB ? Op.ADD : Op.MUL, List.of(a, c), n.attrs(), n.origin(), n.layer());
                graph.replaceAllUses(n.output(), replacement.output());
                graph.remove(n);
                changed = true;
                continue;
            }
            Node inner = a.producer();
            if (n.op() == Op.MUL && b.data().size() == 1 && inner != null && inner.op() == Op.MUL && inner.input(1).isConstant()
                    && inner.input(1).data().size() == 1 && inner.attr("activation", dev.mlpack.optimizer.ir.Activation.NONE)
                    == dev.mlpack.optimizer.ir.Activation.NONE && graph.consumers(a).size() == 1 && !graph.isGraphOutput(a)) {
                Value product = graph.constant(b.name() + "/merged", Constant.scalar(inner.input(1).data().floatAt(0) * b.data().floatAt(0)));
                graph.setInputs(n, List.of(inner.input(0), product));
                changed = true;
                continue;
            }
            boolean identity = n.op() == Op.ADD ? b.data().allEqual(0) : b.data().allEqual(1);
            if (identity && n.output().shape().equals(a.shape()) && n.attr("activation", dev.mlpack.optimizer.ir.Activation.NONE)
                    == dev.mlpack.optimizer.ir.Activation.NONE) {
                graph.replaceAllUses(n.output(), a);
                graph.remove(n);
                changed = true;
            }
        }
        return changed;
    }
}
