package dev.streambard.engine;

import java.util.Optional;
import org.bytedeco.javacpp.FloatPointer;

/**
 * c = a·B + beta·c for a small a [m, k] and a large B [k, n] packed once into 16-column panels ({@link Panels}),
 * with an AVX2/FMA kernel of our own ({@code native/packed_gemm.c}, built by {@link NativeBuild}). A recurrent
 * layer multiplies by the same B once per step; OpenBLAS packs B again on every call, and its single-threaded
 * calls on the two halves of B reached 69–87 GFLOP/s for [64, 1024]·[1024, 4096] where this reached ~106
 * (docs/benchmarks.md). Single-threaded: callers split the columns over their threads.
 *
 * <p>Matrices are row-major in native memory and passed by address; {@link #available()} says whether the
 * kernel is built and this CPU runs it. Callers fall back to OpenBLAS when it is not.
 */
public final class PackedGemm {
    private static final int PANEL = 16;
    private static final Optional<String> UNAVAILABLE = loadKernel();

    private PackedGemm() {
    }

    private static Optional<String> loadKernel() {
        Optional<String> failure = NativeBuild.load("/native/packed_gemm.c");
        if (failure.isPresent()) return failure;
        return supported() == 1 ? Optional.empty() : Optional.of("this CPU lacks AVX2 or FMA");
    }

    /** Whether the kernel is built and this CPU runs it. */
    public static boolean available() {
        return UNAVAILABLE.isEmpty();
    }

    /** Why the kernel is not available (empty when it is). */
    public static Optional<String> unavailableBecause() {
        return UNAVAILABLE;
    }

    /** B [k, n] packed into panels of 16 columns: k·16 floats each, the last padded with zeros. */
    public static final class Panels {
        final int k;
        final int n;
        private final FloatPointer data;
        private final boolean ownsData;

        /** Room for a [k, n] matrix (contents undefined until packed). Freed when unreachable, or by {@link #close}. */
        public Panels(int k, int n) {
            this(k, n, null);
        }

        /**
         * As {@link #Panels(int, int)}, but in {@code shared}'s memory when that is large enough (else in memory of
         * its own): for a B that is never multiplied while {@code shared}'s is, since packing one overwrites the
         * other. A recurrent layer's forward and backward passes share their 16 MB this way.
         */
        public Panels(int k, int n, Panels shared) {
            this.k = k;
            this.n = n;
            long size = (long) panels() * k * PANEL;
            this.ownsData = shared == null || shared.data.capacity() < size;
            this.data = ownsData ? new FloatPointer(size) : shared.data;
        }

        /** Number of 16-column panels. */
        public int panels() {
            return (n + PANEL - 1) / PANEL;
        }

        /**
         * Packs panels [from, to) of B, whose element (row, col) is the float at {@code b + 4·(row·rowStride + col·colStride)};
         * so a row-major B has strides (n, 1) and a row-major Bᵀ [n, k] has (1, k). Disjoint ranges may be packed
         * on different threads at once.
         */
        public void pack(long b, long rowStride, long colStride, int from, int to) {
            requireAvailable();
            if (from < 0 || from > to || to > panels()) throw new IndexOutOfBoundsException("panels " + from + ".." + to + " of " + panels());
            PackedGemm.pack(b, rowStride, colStride, k, n, data.address(), from, to);
        }

        /** Frees the memory now (the owner's; one that shares it frees nothing). */
        public void close() {
            if (ownsData) data.close();
        }
    }

    /**
     * Columns [from, to) of c [m, B's n] = a [m, k] · B + beta·c: a and c row-major at the given addresses with
     * row strides lda and ldc (in floats). Any column range works; panel-aligned ones waste nothing.
     */
    public static void multiply(long a, long lda, Panels b, long c, long ldc, int m, int from, int to, float beta) {
        multiply(a, lda, b, c, ldc, m, from, to, 1, 0, beta);
    }

    /**
     * As {@link #multiply(long, long, Panels, long, long, int, int, int, float)} for {@code blocks} column ranges
     * [from + i·spacing, to + i·spacing), i &lt; blocks, with a packed once for all of them: a recurrent layer's
     * gate blocks of the same units.
     */
    public static void multiply(long a, long lda, Panels b, long c, long ldc, int m, int from, int to, int blocks,
                                int spacing, float beta) {
        requireAvailable();
        long last = to + (long) (blocks - 1) * spacing;
        if (m < 1 || blocks < 1 || spacing < 0 || from < 0 || from > to || last > b.n || (blocks > 1 && spacing < to - from)) {
            throw new IndexOutOfBoundsException(blocks + " blocks of columns " + from + ".." + to + " spaced " + spacing + " of " + b.n);
        }
        if (lda < b.k || ldc < last) throw new IllegalArgumentException("row strides " + lda + ", " + ldc + " for k " + b.k + ", columns to " + last);
        if (multiply(a, lda, b.data.address(), c, ldc, m, b.k, from, to, blocks, spacing, beta) != 0) {
            throw new OutOfMemoryError("no room to pack a [" + m + ", " + b.k + "] matrix");
        }
    }

    private static void requireAvailable() {
        if (!available()) throw new IllegalStateException("the packed kernel is not available: " + UNAVAILABLE.get());
    }

    private static native int supported();

    private static native void pack(long b, long rowStride, long colStride, int k, int n, long panels, int from, int to);

    private static native int multiply(long a, long lda, long panels, long c, long ldc, int m, int k, int from, int to,
                                       int blocks, int spacing, float beta);
}
