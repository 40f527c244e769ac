package dev.streambard.model;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import dev.streambard.engine.Transpose;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A row-major float matrix (or a block of one: consecutive rows, a range of columns) in native memory, for
 * the training recurrent layers' buffers. Its memory belongs to a detached ND4J array, so ND4J can copy
 * DL4J's arrays of any layout into it ({@link #array()}), OpenBLAS multiplies it in place ({@link #gemm}),
 * and the gate arithmetic moves rows to and from the heap in bulk ({@link #read}, {@link #write}).
 */
final class RowMatrix {
    final int rows;
    final int cols;
    private final int stride;         // elements from one row to the next: cols, or more in a column block
    private final INDArray owner;     // keeps the memory alive; the whole matrix this one is a block of
    private final boolean whole;
    private final long first;         // index in owner of this block's first element
    private final FloatPointer data;  // pointer to that element
    private final FloatBuffer floats; // the elements from there to the block's last one

    private RowMatrix(INDArray owner, boolean whole, long firstElement, int rows, int cols, int stride) {
        this.rows = rows;
        this.cols = cols;
        this.stride = stride;
        this.owner = owner;
        this.whole = whole;
        this.first = firstElement;
        FloatPointer base = new FloatPointer(owner.data().addressPointer()); // a view's data starts at the view
        this.data = base.position(base.position() + firstElement);
        FloatPointer span = new FloatPointer(data);
        long length = rows == 0 ? 0 : (long) (rows - 1) * stride + cols;
        this.floats = span.limit(span.position() + length).asBuffer();
    }

    private RowMatrix(INDArray owner, boolean whole, long firstElement, int rows, int cols) {
        this(owner, whole, firstElement, rows, cols, cols);
    }

    /** A new matrix outside every ND4J workspace (it lives across iterations); contents undefined. */
    static RowMatrix allocate(int rows, int cols) {
        if ((long) rows * cols > Integer.MAX_VALUE) throw new IllegalArgumentException("matrix too large: " + rows + "x" + cols);
        return new RowMatrix(Nd4j.createUninitializedDetached(DataType.FLOAT, rows, cols), true, 0, rows, cols);
    }

    /**
     * The transpose of a float matrix that DL4J keeps contiguous in f (column-major) order, such as a layer's
     * weights or their gradient, over the same memory: [R, C] in f order is [C, R] row-major. Writes go to
     * the array.
     */
    static RowMatrix transposeOf(INDArray m) {
        if (m.dataType() == DataType.FLOAT && m.rank() == 1 && m.stride(0) == 1) {
            return new RowMatrix(m, false, 0, 1, (int) m.length()); // a vector: the same either way
        }
        // Element (i, j) at i·stride(0) + j·stride(1); a stride along a dimension of size 1 is never used.
        boolean contiguousF = m.rank() == 2 && m.dataType() == DataType.FLOAT
                && (m.rows() == 1 || m.stride(0) == 1) && (m.columns() == 1 || m.stride(1) == m.rows());
        if (!contiguousF) {
            throw new IllegalArgumentException("not a contiguous f-order float matrix: " + m.shapeInfoToString());
        }
        return new RowMatrix(m, false, 0, (int) m.columns(), (int) m.rows());
    }

    /**
     * A float matrix that ND4J keeps row-major with unit column stride, such as a c-order array or a reshaped
     * view of one, over the same memory; writes go to the array. See {@link #isRowMajor}.
     */
    static RowMatrix over(INDArray m) {
        if (!isRowMajor(m)) throw new IllegalArgumentException("not a row-major float matrix: " + m.shapeInfoToString());
        return new RowMatrix(m, false, 0, (int) m.rows(), (int) m.columns(), (int) Math.max(m.columns(), m.stride(0)));
    }

    /** Whether {@link #over} takes {@code m}: a float matrix whose elements (i, j) are at i·stride + j. */
    static boolean isRowMajor(INDArray m) {
        // A stride along a dimension of size 1 is never used.
        return m.dataType() == DataType.FLOAT && m.rank() == 2 && m.columns() <= Integer.MAX_VALUE
                && (m.columns() == 1 || m.stride(1) == 1) && (m.rows() == 1 || m.stride(0) >= m.columns());
    }

    /** Rows [from, from + count) of this matrix, sharing its memory. */
    RowMatrix rows(int from, int count) {
        if (from < 0 || count < 0 || from + count > rows) {
            throw new IndexOutOfBoundsException("rows " + from + "+" + count + " of " + rows);
        }
        return new RowMatrix(owner, false, first + (long) from * stride, count, cols, stride);
    }

    /** Columns [from, from + count) of this matrix, sharing its memory (its rows are then not contiguous). */
    RowMatrix columns(int from, int count) {
        if (from < 0 || count < 1 || from + count > cols) {
            throw new IndexOutOfBoundsException("columns " + from + "+" + count + " of " + cols);
        }
        return new RowMatrix(owner, false, first + from, rows, count, stride);
    }

    /** The address of this block's first element, for native code. */
    long address() {
        return data.address() + (long) data.position() * Float.BYTES;
    }

    /** The address of element (row, col) of this block, for native code: {@code rows(row, ·).columns(col, ·).address()} without the views. */
    long address(int row, int col) {
        if (row < 0 || row >= rows || col < 0 || col >= cols) throw new IndexOutOfBoundsException("(" + row + ", " + col + ") of [" + rows + ", " + cols + "]");
        return address() + ((long) row * stride + col) * Float.BYTES;
    }

    /** Elements from one row to the next. */
    int stride() {
        return stride;
    }

    /** The whole matrix as a c-order ND4J array [rows, cols] over the same memory. */
    INDArray array() {
        if (!whole) throw new IllegalStateException("a row block has no ND4J array of its own");
        return owner;
    }

    /** The ND4J array this matrix is all of (for ND4J's copies); a block of a larger one has none. */
    private INDArray ownArray() {
        if (first != 0 || owner.rank() != 2 || owner.rows() != rows || owner.columns() != cols) {
            throw new IllegalStateException("a block of a matrix has no ND4J array of its own");
        }
        return owner;
    }

    /** Copies this block into {@code into[0, rows·cols)}. */
    void read(float[] into) {
        read(into, 0, cols);
    }

    /** Copies this block's row r into {@code into[offset + r·step, + cols)} for every r. */
    void read(float[] into, int offset, int step) {
        if (stride == cols && step == cols) {
            floats.get(0, into, offset, rows * cols);
            return;
        }
        for (int r = 0; r < rows; r++) floats.get(r * stride, into, offset + r * step, cols);
    }

    /** Copies {@code from[0, rows·cols)} into this block. */
    void write(float[] from) {
        write(from, 0, cols);
    }

    /** Copies {@code from[offset + r·step, + cols)} into this block's row r for every r. */
    void write(float[] from, int offset, int step) {
        if (stride == cols && step == cols) {
            floats.put(0, from, offset, rows * cols);
            return;
        }
        for (int r = 0; r < rows; r++) floats.put(r * stride, from, offset + r * step, cols);
    }

    /**
     * {@code into} = this matrixᵀ ([cols, rows]): the native {@link Transpose} where it is built, else ND4J's copy
     * (which needs both to be whole matrices).
     */
    void transposeInto(RowMatrix into) {
        if (into.rows != cols || into.cols != rows) {
            throw new IllegalArgumentException("[" + rows + ", " + cols + "]ᵀ into [" + into.rows + ", " + into.cols + "]");
        }
        if (Transpose.available()) {
            Transpose.copy(address(), stride, into.address(), into.stride, rows, cols);
        } else {
            into.ownArray().assign(ownArray().transpose());
        }
    }

    /** Sets every element to {@code value}. */
    void fill(float value) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) floats.put(r * stride + j, value);
        }
    }

    /** Copies {@code from[offset, offset + cols)} into row {@code row} of this block. */
    void writeRow(int row, float[] from, int offset) {
        floats.put(row * stride, from, offset, cols);
    }

    /** Copies row {@code row} of this block into {@code into[offset, offset + cols)}. */
    void readRow(int row, float[] into, int offset) {
        floats.get(row * stride, into, offset, cols);
    }

    /** Frees the memory now rather than at garbage collection. */
    void close() {
        if (whole) owner.close();
    }

    /**
     * c = op(a)·op(b) + beta·c with OpenBLAS, where op transposes when asked: op(a) [M, K], op(b) [K, N],
     * c [M, N]. Called directly rather than through ND4J, whose oneDNN builds are much slower on some shapes.
     */
    static void gemm(RowMatrix a, boolean transA, RowMatrix b, boolean transB, RowMatrix c, float beta) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        int kb = transB ? b.cols : b.rows;
        int n = transB ? b.rows : b.cols;
        if (k != kb || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException("shapes " + m + "x" + k + " · " + kb + "x" + n + " → " + c.rows + "x" + c.cols);
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, 1f, a.data, a.stride, b.data, b.stride, beta, c.data, c.stride);
    }
}
