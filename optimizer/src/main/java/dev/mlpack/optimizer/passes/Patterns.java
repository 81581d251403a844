package dev.mlpack.optimizer.passes;

import dev.mlpack.optimizer.ir.Constant;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.optimizer.ir.OpSpec;
import dev.mlpack.optimizer.ir.Value;

/** Small matchers shared by the passes. */
final class Patterns {
    private Patterns() {}

    /** The producer of {@code v} if it is {@code op}, else null. */
    static Node producedBy(Value v, OpSpec<?> op) {
        Node p = v == null ? null : v.producer();
        return p != null && p.op() == op ? p : null;
    }

    /** True when {@code v} is a constant whose every element is within 1e-5 relative of {@code expected}. */
    static boolean isScalarNear(Value v, double expected) {
        if (v == null || !v.isConstant()) return false;
        Constant c = v.data();
        for (int i = 0; i < c.size(); i++) {
            if (Math.abs(c.floatAt(i) - expected) > 1e-5 * Math.max(1, Math.abs(expected))) return false;
        }
        return c.size() > 0;
    }

    /** For a commutative binary node, the operand that is not {@code known}, or null if neither is. */
    static Value other(Node binary, Value known) {
        if (binary.input(0) == known) return binary.input(1);
        if (binary.input(1) == known) return binary.input(0);
        return null;
    }

    /** The constant operand of a binary node (canonical form puts it second), or null. */
    static Value constantOperand(Node binary) {
        return binary.input(1) != null && binary.input(1).isConstant() ? binary.input(1) : null;
    }
}
