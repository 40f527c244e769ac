package dev.streambard.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A row-major float matrix in native memory that the engine owns (not an ND4J buffer, so the engine
 * works the same whichever ND4J backend trains). Freed by JavaCPP when unreachable.
 */
final class NativeMatrix {
    final int rows;
    final int cols;
    final FloatPointer data;

    private NativeMatrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.data = new FloatPointer((long) rows * cols);
    }

    static NativeMatrix zeros(int rows, int cols) {
        NativeMatrix m = new NativeMatrix(rows, cols);
        m.data.zero();
        return m;
    }

    /** A copy of a 2-d array, in row-major order whatever its layout. */
    static NativeMatrix copyOf(INDArray a) {
        NativeMatrix m = new NativeMatrix((int) a.rows(), (int) a.columns());
        m.data.put(a.dup('c').data().asFloat());
        return m;
    }

    void read(float[] into) {
        data.get(into);
    }

    void write(float[] from) {
        data.put(from);
    }

    /** Row {@code row} = from[row*cols .. (row+1)*cols): the same row of a heap copy of this matrix. */
    void writeRow(int row, float[] from) {
        data.getPointer((long) row * cols).put(from, row * cols, cols);
    }
}
