package dev.streambard.model;

import dev.streambard.engine.PackedGemm;

/**
 * A recurrent layer's weights as the right operand B [k, n] of its per-step products (h·RW forward, δ·RWᵀ
 * backward), given each pass as a row-major matrix M with B = M or B = Mᵀ, over DL4J's parameters. Where the
 * packed kernel runs ({@link PackedGemm}), B is packed into panels once per pass and every step multiplies from
 * them; elsewhere each product is an OpenBLAS call on a block of M.
 */
final class StepWeights {
    private final int k;
    private final int n;
    private final PackedGemm.Panels panels; // null without the kernel
    private RowMatrix source;
    private boolean transposed;

    /** Room for a [k, n] B. */
    StepWeights(int k, int n) {
        this(k, n, null);
    }

    /**
     * Room for a [k, n] B in {@code other}'s panel memory where it fits: for the other pass of the same layer
     * (B = RW forward, RWᵀ backward), whose products never run at the same time as these. Saves the second
     * copy of the matrix (16 MB at the tutorial shape).
     */
    StepWeights(int k, int n, StepWeights other) {
        this.k = k;
        this.n = n;
        panels = PackedGemm.available() ? new PackedGemm.Panels(k, n, other == null ? null : other.panels) : null;
    }

    /** This pass's B: {@code m}, or its transpose. {@link #pack} it (all parts) before multiplying. */
    void use(RowMatrix m, boolean transposed) {
        int rows = transposed ? m.cols : m.rows;
        int cols = transposed ? m.rows : m.cols;
        if (rows != k || cols != n) {
            throw new IllegalArgumentException("weights of shape [" + rows + ", " + cols + "] where [" + k + ", " + n + "] fit");
        }
        this.source = m;
        this.transposed = transposed;
    }

    /** Packs part {@code part} of {@code parts} of B's panels (a no-op without the kernel); parts may run at once. */
    void pack(int part, int parts) {
        if (panels == null) return;
        int count = panels.panels();
        long rowStride = transposed ? 1 : source.stride();
        long colStride = transposed ? source.stride() : 1;
        panels.pack(source.address(), rowStride, colStride, count * part / parts, count * (part + 1) / parts);
    }

    /** Columns [from, from + count) of c = a·B + beta·c; a [m, k], c [m, n]. */
    void multiply(RowMatrix a, RowMatrix c, int from, int count, float beta) {
        multiply(a, c, from, count, 1, 0, beta);
    }

    /** As {@link #multiply(RowMatrix, RowMatrix, int, int, float)} for the column ranges from + i·spacing, i &lt; blocks. */
    void multiply(RowMatrix a, RowMatrix c, int from, int count, int blocks, int spacing, float beta) {
        if (a.cols != k || c.cols != n || c.rows != a.rows) {
            throw new IllegalArgumentException("[" + a.rows + ", " + a.cols + "]·[" + k + ", " + n + "] → [" + c.rows + ", " + c.cols + "]");
        }
        if (panels != null) {
            PackedGemm.multiply(a.address(), a.stride(), panels, c.address(), c.stride(), a.rows, from, from + count,
                    blocks, spacing, beta);
            return;
        }
        for (int i = 0; i < blocks; i++) {
            int first = from + i * spacing;
            if (transposed) {
                RowMatrix.gemm(a, false, source.rows(first, count), true, c.columns(first, count), beta);
            } else {
                RowMatrix.gemm(a, false, source.columns(first, count), false, c.columns(first, count), beta);
            }
        }
    }

    void close() {
        if (panels != null) panels.close();
    }
}
