package dev.streambard.engine;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

/**
 * Matrix products in OpenBLAS (the BLAS that ND4J's CPU build ships). A product with one row goes to
 * sgemv: measured 0.24–0.4 ms for 1024×4096, where sgemm (and so ND4J's mmul) took 1.3–10 ms because
 * it packs the whole matrix first.
 */
final class Blas {
    /** Up to this many rows, one sgemv per row beats sgemm (1024×4096: 8 rows 2.4 ms against 3.7 ms). */
    private static final int GEMV_ROWS = 8;

    private Blas() {
    }

    /** c = a·b + beta·c: a [M, K], b [K, N], c [M, N]. */
    static void gemm(NativeMatrix a, NativeMatrix b, NativeMatrix c, float beta) {
        int m = a.rows;
        int k = a.cols;
        int n = c.cols;
        if (b.rows != k || c.rows != m || b.cols != n) {
            throw new IllegalArgumentException("shapes [" + m + "," + k + "]·[" + b.rows + "," + b.cols + "] → [" + c.rows + "," + n + "]");
        }
        if (m <= GEMV_ROWS) { // row by row: cᵢᵀ = bᵀ·aᵢᵀ
            for (int i = 0; i < m; i++) {
                cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1f, b.data,
                        n, a.data.getPointer((long) i * k), 1, beta, c.data.getPointer((long) i * n), 1);
            }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1f, a.data, k, b.data, n, beta, c.data, n);
        }
    }
}
