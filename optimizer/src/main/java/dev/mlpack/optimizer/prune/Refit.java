package dev.mlpack.optimizer.prune;

/**
 * Re-solves the weights a pruning kept so that each output channel reproduces, in the least-squares sense over the
 * calibration inputs, what the dense channel computed: for kept inputs K (and the bias), solve
 * (G_KK + λI)·w = G_K·[w_dense; b_dense], with G the input second moments of {@link LayerInputs}. Pruned weights stay
 * exactly 0. λ is 1% of the mean diagonal (dampening, as in SparseGPT), which keeps the solve stable when the images
 * give fewer samples than inputs (a classifier sees one row per image).
 */
final class Refit {
    static final double DAMPING = 0.01;

    private Refit() {}

    /**
     * Rewrites {@code pruned} (row-major [rows][patch], zeros where pruned) and {@code bias} in place, from the dense
     * weights {@code dense}. Rows whose system is not positive definite keep their plain pruned weights.
     */
    static void apply(float[] dense, float[] pruned, float[] bias, LayerInputs.Moments m) {
        int dim = m.dim, patch = dim - 1, rows = pruned.length / patch;
        double[] g = m.full;
        double meanDiag = 0;
        for (int i = 0; i < dim; i++) meanDiag += g[i * dim + i];
        double lambda = DAMPING * meanDiag / dim;
        int[] kept = new int[dim];
        for (int r = 0; r < rows; r++) {
            int nk = 0;
            for (int j = 0; j < patch; j++) if (pruned[r * patch + j] != 0) kept[nk++] = j;
            if (nk == patch) continue; // nothing pruned in this row
            kept[nk++] = patch; // the bias
            double[] a = new double[nk * nk];
            double[] rhs = new double[nk];
            for (int p = 0; p < nk; p++) {
                int i = kept[p];
                for (int q = 0; q < nk; q++) a[p * nk + q] = g[i * dim + kept[q]];
                a[p * nk + p] += lambda;
                double t = g[i * dim + patch] * bias[r];
                for (int j = 0; j < patch; j++) t += g[i * dim + j] * dense[r * patch + j];
                rhs[p] = t + (i == patch ? 0 : lambda * dense[r * patch + i]) + (i == patch ? lambda * bias[r] : 0);
            }
            if (!solveInPlace(a, rhs, nk)) continue;
            for (int p = 0; p < nk - 1; p++) pruned[r * patch + kept[p]] = (float) rhs[p];
            bias[r] = (float) rhs[nk - 1];
        }
    }

    /** Cholesky solve of the symmetric positive definite {@code a}·x = {@code b}; x replaces b. False if not SPD. */
    static boolean solveInPlace(double[] a, double[] b, int n) {
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
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= a[i * n + k] * b[k];
            b[i] = s / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
            b[i] = s / a[i * n + i];
        }
        return true;
    }
}
