package dev.streambard.engine;

import java.util.Optional;

/**
 * The transpose of a float matrix in native memory into another, with a tiled copy of our own
 * ({@code native/transpose.c}, built by {@link NativeBuild}) split over the engine's {@link Workers}. Training
 * moves every recurrent layer's output and gradient between its time-major rows [T·B, C] and DL4J's [C][T][B]
 * arrays, two transposes of 26 MB per layer and step at the tutorial shape; ND4J's strided copy took 52-80 ms
 * for each (docs/benchmarks.md).
 *
 * <p>{@link #available()} says whether the library is built; callers copy with ND4J when it is not. The switch
 * {@code -Dstreambard.noNativeKernel=true} turns it off with the packed kernel, so the portable path is tested.
 */
public final class Transpose {
    private static final Optional<String> UNAVAILABLE = NativeBuild.load("/native/transpose.c");

    private Transpose() {
    }

    /** Whether the native transpose is built and loaded. */
    public static boolean available() {
        return UNAVAILABLE.isEmpty();
    }

    /**
     * into [cols, rows] = fromᵀ for a row-major from [rows, cols]: both at native addresses, with row strides
     * in floats. The matrices must not overlap.
     */
    public static void copy(long from, long fromStride, long into, long intoStride, int rows, int cols) {
        if (!available()) throw new IllegalStateException("the native transpose is not available: " + UNAVAILABLE.get());
        if (rows < 0 || cols < 0 || fromStride < cols || intoStride < rows) {
            throw new IllegalArgumentException("[" + rows + ", " + cols + "] with row strides " + fromStride + " → " + intoStride);
        }
        if ((long) rows * cols == 0) return;
        // Each worker writes whole rows of into: disjoint, and each reads its columns of from.
        int parts = Math.min(Workers.threads(), Math.max(1, cols / 64));
        Workers.forBlocks(parts, part -> copy(from, fromStride, into, intoStride, rows,
                (int) ((long) cols * part / parts), (int) ((long) cols * (part + 1) / parts)));
    }

    private static native void copy(long from, long fromStride, long into, long intoStride, int rows, int firstColumn, int endColumn);
}
