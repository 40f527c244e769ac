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
 *
 * <p>Two ways to use both cores for a large product: OpenBLAS's own threads (the default), which split it
 * statically, or ({@link #splitProducts}) single-threaded OpenBLAS calls on column blocks of the output,
 * taken by the engine's {@link Workers} as they become free. Block j of c = a · (block j of b's columns):
 * each block reads only its slice of b, so the memory traffic is the same as one call. Split blocks of
 * weights packed once ({@link NativeMatrix#weights}) run on {@link PackedGemm} instead of OpenBLAS.
 */
final class Blas {
    /**
     * Up to this many rows, one sgemv per row beats OpenBLAS's sgemm (1024×4096: 8 rows 2.4 ms against 3.7 ms). Weights
     * packed for {@link PackedGemm} go there instead from two rows up: a step at batch 2-8 took 0.7-1.6 ms on it against
     * 1.1-3.8 ms as sgemv blocks (docs/benchmarks.md, 2026-11-29).
     */
    private static final int GEMV_ROWS = 8;
    /** Products of fewer multiply-adds than this stay one call (a hand-off costs tens of microseconds). */
    private static final long SPLIT_MIN_WORK = 1L << 18;
    /** Output columns per block at least (a multiple of 16: whole vectors), and blocks per product at most. */
    private static final int MIN_BLOCK_COLUMNS = 128;
    private static final int MAX_BLOCKS = 8;

    private Blas() {
    }

    /**
     * Process-wide (OpenBLAS's thread count is): true sets OpenBLAS to one thread and splits large products
     * over the engine's workers; false restores OpenBLAS's previous thread count. ND4J's own products in
     * this process then run on one thread too, so this is for processes that generate, not train.
     */
    static void splitProducts(boolean on) {
        BlasThreads.splitProducts(on);
    }

    static boolean splitsProducts() {
        return BlasThreads.splitsProducts();
    }

    /** c = a·b + beta·c: a [M, K], b [K, N], c [M, N]. */
    static void gemm(NativeMatrix a, NativeMatrix b, NativeMatrix c, float beta) {
        gemm(a, b, c, beta, null);
    }

    /** As {@link #gemm(NativeMatrix, NativeMatrix, NativeMatrix, float)}, running {@code meanwhile} on this thread while the helpers start (see {@link Workers}). */
    static void gemm(NativeMatrix a, NativeMatrix b, NativeMatrix c, float beta, Runnable meanwhile) {
        int m = a.rows;
        int k = a.cols;
        int n = c.cols;
        if (b.rows != k || c.rows != m || b.cols != n) {
            throw new IllegalArgumentException("shapes [" + m + "," + k + "]·[" + b.rows + "," + b.cols + "] → [" + c.rows + "," + n + "]");
        }
        // Wide products in blocks of MIN_BLOCK_COLUMNS or more; a narrow one (the output layer's 65 columns) still in one
        // block per thread: on the calling thread alone it took ~130 µs of a ~3.2 ms step at batch 64 while the helper
        // idled; split, from packed weights, 85-105 µs (docs/benchmarks.md, 2026-11-29).
        int blocks = splitsProducts() && (long) m * k * n >= SPLIT_MIN_WORK
                ? Math.min(MAX_BLOCKS, Math.max(Workers.threads(), n / MIN_BLOCK_COLUMNS)) : 1;
        // One row is bound by reading b, not by arithmetic: one block per thread, as more only add hand-offs
        // (batch 1: 0.6-1.2 ms a step against 1.0-1.4 ms in 8 blocks).
        if (m == 1) blocks = Math.min(blocks, Workers.threads());
        if (blocks <= 1) {
            if (meanwhile != null) meanwhile.run();
            columns(a, b, c, beta, 0, n);
            return;
        }
        int width = (n + blocks - 1) / blocks;
        int w = (width + 15) / 16 * 16;
        Workers.forBlocks((n + w - 1) / w, j -> columns(a, b, c, beta, j * w, Math.min(n, (j + 1) * w)), meanwhile);
    }

    /** Columns [from, to) of c = a·b + beta·c (shapes as in {@link #gemm}). */
    private static void columns(NativeMatrix a, NativeMatrix b, NativeMatrix c, float beta, int from, int to) {
        int m = a.rows;
        int k = a.cols;
        int n = c.cols;
        if (m > 1 && b.panels != null && splitsProducts()) { // one thread here: b packed once beats OpenBLAS packing it
            PackedGemm.multiply(a.data.address(), k, b.panels, c.data.address(), n, m, from, to, beta);
        } else if (m <= GEMV_ROWS) { // row by row: cᵢᵀ = bᵀ·aᵢᵀ, b's columns [from, to) as a [K, to-from] matrix with stride N
            for (int i = 0; i < m; i++) {
                cblas_sgemv(CblasRowMajor, CblasTrans, k, to - from, 1f, b.data.getPointer(from),
                        n, a.data.getPointer((long) i * k), 1, beta, c.data.getPointer((long) i * n + from), 1);
            }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, to - from, k, 1f, a.data, k,
                    b.data.getPointer(from), n, beta, c.data.getPointer(from), n);
        }
    }
}
