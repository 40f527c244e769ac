package dev.streambard.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A row-major float matrix in native memory that the engine owns (not an ND4J buffer, so the engine
 * works the same whichever ND4J backend trains). Freed by JavaCPP when unreachable. Weights that the
 * products read many times may also carry a packed copy ({@link #panels}) for {@link PackedGemm}.
 */
final class NativeMatrix {
    final int rows;
    final int cols;
    final FloatPointer data;
    /** The same matrix packed for {@link PackedGemm}, or null; never written after {@link #weights}. */
    final PackedGemm.Panels panels;

    private NativeMatrix(int rows, int cols, boolean packed) {
        this.rows = rows;
        this.cols = cols;
        this.data = new FloatPointer((long) rows * cols);
        this.panels = packed ? new PackedGemm.Panels(rows, cols) : null;
    }

    private NativeMatrix(int rows, int cols) {
        this(rows, cols, false);
    }

    static NativeMatrix zeros(int rows, int cols) {
        NativeMatrix m = new NativeMatrix(rows, cols);
        m.data.zero();
        return m;
    }

    /** A copy of a 2-d array, in row-major order whatever its layout. */
    static NativeMatrix copyOf(INDArray a) {
        return copyOf(a, false);
    }

    /** As {@link #copyOf}, for weights: also packed for {@link PackedGemm} where it runs. */
    static NativeMatrix weights(INDArray a) {
        return copyOf(a, PackedGemm.available());
    }

    private static NativeMatrix copyOf(INDArray a, boolean packed) {
        NativeMatrix m = new NativeMatrix((int) a.rows(), (int) a.columns(), packed);
        m.data.put(a.dup('c').data().asFloat());
        if (packed) m.panels.pack(m.data.address(), m.cols, 1, 0, m.panels.panels());
        return m;
    }

    void read(float[] into) {
        data.get(into);
    }

    void write(float[] from) {
        data.put(from);
    }

    /** The address of row {@code row}'s first element, for the native kernels. */
    long address(int row) {
        return data.address() + (long) row * cols * Float.BYTES;
    }

    /** Row {@code row} = {@code vector} [cols]. */
    void putRow(int row, float[] vector) {
        if (vector.length != cols) throw new IllegalArgumentException(vector.length + " values for a row of " + cols);
        data.getPointer((long) row * cols).put(vector, 0, cols);
    }

    /** A copy of row {@code row} [cols]. */
    float[] getRow(int row) {
        float[] out = new float[cols];
        data.getPointer((long) row * cols).get(out, 0, cols);
        return out;
    }

    /** Row {@code row} = from[row*cols .. (row+1)*cols): the same row of a heap copy of this matrix. */
    void writeRow(int row, float[] from) {
        data.getPointer((long) row * cols).put(from, row * cols, cols);
    }
}
