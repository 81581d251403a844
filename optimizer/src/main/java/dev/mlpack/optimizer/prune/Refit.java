package dev.mlpack.optimizer.prune;

/**
 * Re-solves the weights a pruning kept so that each output channel reproduces, in the least-squares sense over the
 * calibration inputs, what the dense channel computed on the dense model's inputs: with X̃ the layer's inputs in the
 * model pruned so far and X the dense model's, for kept inputs K (and the bias) solve
 * (X̃ᵀX̃_KK + λI)·w = (X̃ᵀX)_K·[w_dense; b_dense] + λ·w_dense_K. Solving against the dense inputs lets each layer
 * also absorb the error of the layers pruned before it (as SparseGPT does, layer by layer). Pruned weights stay
 * exactly 0. λ is 1% of the mean diagonal, which keeps the solve stable when the images give fewer samples than
 * inputs (a classifier sees one row per image).
 */
final class Refit {
    static final double DAMPING = 0.01;

    private Refit() {}

    /**
     * Rewrites {@code pruned} (row-major [rows][patch], zeros where pruned) and {@code bias} in place, from the dense
     * weights {@code dense}; {@code gram} = X̃ᵀX̃ and {@code cross} = X̃ᵀX, both (patch+1)², the bias last. Rows whose
     * system is not positive definite keep their plain pruned weights.
     */
    static void apply(float[] dense, float[] pruned, float[] bias, double[] gram, double[] cross) {
        int dim = (int) Math.round(Math.sqrt(gram.length)), patch = dim - 1, rows = pruned.length / patch;
        double meanDiag = 0;
        for (int i = 0; i < dim; i++) meanDiag += gram[i * dim + i];
        double lambda = Math.max(DAMPING * meanDiag / dim, 1e-12);
        float[] denseBias = bias.clone();
        int[] kept = new int[dim];
        for (int r = 0; r < rows; r++) {
            int nk = 0;
            for (int j = 0; j < patch; j++) if (pruned[r * patch + j] != 0) kept[nk++] = j;
            kept[nk++] = patch; // the bias
            double[] a = new double[nk * nk];
            double[] rhs = new double[nk];
            for (int p = 0; p < nk; p++) {
                int i = kept[p];
                for (int q = 0; q < nk; q++) a[p * nk + q] = gram[i * dim + kept[q]];
                a[p * nk + p] += lambda;
                double t = cross[i * dim + patch] * denseBias[r];
                for (int j = 0; j < patch; j++) t += cross[i * dim + j] * dense[r * patch + j];
                rhs[p] = t + lambda * (i == patch ? denseBias[r] : dense[r * patch + i]);
            }
            if (!solveInPlace(a, rhs, nk)) continue;
            for (int p = 0; p < nk - 1; p++) pruned[r * patch + kept[p]] = (float) rhs[p];
            bias[r] = (float) rhs[nk - 1];
        }
    }

    /** Cholesky solve of the symmetric positive definite {@code a}·x = {@code b}; x replaces b. False if not SPD. */
    static boolean solveInPlace(double[] a, double[] b, int n) {
        if (!factor(a, n)) return false;
        substitute(a, b, n);
        return true;
    }

    /**
     * The diagonal of (G + λI)⁻¹ over the first {@code dim − 1} inputs (the bias excluded), with λ as in
     * {@link #apply}: the optimal-brain-surgeon saliency of weight j is w_j² / [(G + λI)⁻¹]_jj, the output error its
     * removal costs when the other weights compensate, which is what the refit then does.
     */
    static double[] inverseDiagonal(double[] gram) {
        int dim = (int) Math.round(Math.sqrt(gram.length));
        double[] a = gram.clone();
        double meanDiag = 0;
        for (int i = 0; i < dim; i++) meanDiag += gram[i * dim + i];
        double lambda = Math.max(DAMPING * meanDiag / dim, 1e-12);
        for (int i = 0; i < dim; i++) a[i * dim + i] += lambda;
        double[] out = new double[dim - 1];
        if (!factor(a, dim)) {
            java.util.Arrays.fill(out, 1);
            return out;
        }
        double[] e = new double[dim];
        for (int j = 0; j < dim - 1; j++) {
            java.util.Arrays.fill(e, 0);
            e[j] = 1;
            substitute(a, e, dim);
            out[j] = e[j];
        }
        return out;
    }

    /** In-place Cholesky factor L (lower triangle) of the symmetric {@code a}; false when it is not positive definite. */
    private static boolean factor(double[] a, int n) {
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) return false;
            double l = Math.sqrt(d);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / l;
            }
        }
        return true;
    }

    /** Solves L·Lᵀ·x = b with the factor of {@link #factor}; x replaces b. */
    private static void substitute(double[] l, double[] b, int n) {
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }
}
