package dev.streambard.engine;

import java.util.Optional;

/**
 * The LSTM cell in native code ({@code native/lstm_cell.c}, built by {@link NativeBuild}), for training's recurrent
 * layer and the inference engine: one step of a slice of the units (the engine: all of them) for a batch, on the
 * gate rows in native memory where the step's product left them, so they are not copied to the heap and back
 * (docs/benchmarks.md, 2026-11-29).
 *
 * <p>Arguments are native addresses and, for strides and spacing, counts of floats. Gates: example b's row at
 * {@code gates} + b·gateStride floats; unit j's gate k (a, f, o, i) at column k·spacing + j, j &lt; n. Cells and
 * the carried dL/dc are [B, n] blocks of the caller's (tanh(c) is computed again backwards, not kept); h, dL/dh and the recurrent gradient are
 * rows of [·, H] matrices with the given strides.
 *
 * <p>{@link #available()} says whether the library is built and the CPU runs it (AVX2 and FMA); callers run their
 * heap version otherwise. {@code -Dstreambard.noNativeKernel=true} turns it off with the packed kernel, so the
 * portable path is tested.
 */
public final class LstmCellKernel {
    private static final Optional<String> UNAVAILABLE = loadKernel();

    private LstmCellKernel() {
    }

    private static Optional<String> loadKernel() {
        Optional<String> failure = NativeBuild.load("/native/lstm_cell.c");
        if (failure.isPresent()) return failure;
        return supported() == 1 ? Optional.empty() : Optional.of("this CPU lacks AVX2 or FMA");
    }

    /** Whether the kernel is built and this CPU runs it. */
    public static boolean available() {
        return UNAVAILABLE.isEmpty();
    }

    /**
     * The forward cell: the gates hold the pre-activations less the inputs. Adds row {@code rows[b]} of
     * {@code inputs} [V, 4n] to example b's gates (rows 0: every example adds row 0), applies a = tanh, f, o, i = σ
     * in place and writes c = f⊙c₋₁ + i⊙a and h = o⊙tanh(c). {@code rows} points to B ints, or is 0.
     */
    public static void forward(long gates, long gateStride, long spacing, int n, int batch, long inputs, long rows,
                               long prevCells, long cells, long h, long hStride) {
        requireAvailable();
        forward0(gates, gateStride, spacing, n, batch, inputs, rows, prevCells, cells, h, hStride);
    }

    /**
     * The backward cell: replaces the activations by the deltas dL/dz given the step's c ({@code cells}), dL/dh from
     * above ({@code dh}) and from the next step ({@code recurrent}), and the carried dL/dc ({@code carry}, replaced
     * by this step's). Adds the deltas to {@code biasGrad} [4n] or, unless {@code sums} is 0, to row {@code rows[b]}
     * of {@code sums} [V, 4n] instead: the bias gradient is then the column sums of the table sums.
     */
    public static void backward(long gates, long gateStride, long spacing, int n, int batch, long dh, long dhStride,
                                long recurrent, long recurrentStride, long carry, long prevCells, long cells,
                                long biasGrad, long sums, long rows) {
        requireAvailable();
        if (sums != 0 && rows == 0) throw new IllegalArgumentException("table sums without table rows");
        backward0(gates, gateStride, spacing, n, batch, dh, dhStride, recurrent, recurrentStride, carry, prevCells,
                cells, biasGrad, sums, rows);
    }

    private static void requireAvailable() {
        if (!available()) throw new IllegalStateException("the native LSTM cell is not available: " + UNAVAILABLE.get());
    }

    private static native int supported();

    private static native void forward0(long gates, long gateStride, long spacing, int n, int batch, long inputs,
                                        long rows, long prevCells, long cells, long h, long hStride);

    private static native void backward0(long gates, long gateStride, long spacing, int n, int batch, long dh,
                                         long dhStride, long recurrent, long recurrentStride, long carry,
                                         long prevCells, long cells, long biasGrad, long sums, long rows);
}
