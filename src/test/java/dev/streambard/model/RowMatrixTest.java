package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Blocks of a {@link RowMatrix}: rows, columns, and products into and out of them. */
class RowMatrixTest {

    private static RowMatrix random(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
        RowMatrix m = RowMatrix.allocate(rows, cols);
        m.write(values);
        return m;
    }

    private static float[] all(RowMatrix m) {
        float[] out = new float[m.rows * m.cols];
        m.read(out);
        return out;
    }

    @Test
    void aColumnBlockReadsAndWritesOnlyItsColumns() {
        RowMatrix m = random(3, 5, 1);
        float[] before = all(m);
        RowMatrix block = m.rows(1, 2).columns(1, 3); // rows 1-2, columns 1-3

        // Read into every other slot of 6 per row: row r of the block lands at 1 + 6r.
        float[] into = new float[12];
        block.read(into, 1, 6);
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < 3; j++) assertEquals(before[(1 + r) * 5 + 1 + j], into[1 + 6 * r + j]);
        }

        block.write(new float[]{1, 2, 3, 4, 5, 6}, 0, 3);
        float[] after = all(m);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 5; c++) {
                boolean inside = r >= 1 && c >= 1 && c <= 3;
                float expected = inside ? (r - 1) * 3 + c : before[r * 5 + c];
                assertEquals(expected, after[r * 5 + c], "(" + r + ", " + c + ")");
            }
        }
        block.fill(0f);
        assertEquals(before[0], all(m)[0]);
        assertEquals(0f, all(m)[6]);
        assertThrows(IndexOutOfBoundsException.class, () -> m.columns(3, 3));
    }

    @Test
    void productsWithColumnBlocksMatchTheWholeProduct() {
        RowMatrix a = random(4, 6, 2);
        RowMatrix b = random(6, 10, 3);  // [K, N]
        RowMatrix bT = random(10, 6, 4); // [N, K], used transposed
        RowMatrix whole = RowMatrix.allocate(4, 10);
        RowMatrix.gemm(a, false, b, false, whole, 0f);
        RowMatrix wholeT = RowMatrix.allocate(4, 10);
        RowMatrix.gemm(a, false, bT, true, wholeT, 0f);

        // Columns 3-7 of the output from columns 3-7 of b, and from rows 3-7 of bT.
        RowMatrix part = RowMatrix.allocate(4, 10);
        part.fill(0f);
        RowMatrix.gemm(a, false, b.columns(3, 5), false, part.columns(3, 5), 0f);
        RowMatrix partT = RowMatrix.allocate(4, 10);
        partT.fill(0f);
        RowMatrix.gemm(a, false, bT.rows(3, 5), true, partT.columns(3, 5), 0f);

        float[] w = all(whole);
        float[] wT = all(wholeT);
        float[] p = all(part);
        float[] pT = all(partT);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 10; c++) {
                boolean inside = c >= 3 && c < 8;
                assertEquals(inside ? w[r * 10 + c] : 0f, p[r * 10 + c], 1e-5, "(" + r + ", " + c + ")");
                assertEquals(inside ? wT[r * 10 + c] : 0f, pT[r * 10 + c], 1e-5, "(" + r + ", " + c + ") transposed");
            }
        }
        // A column block as the left operand, transposed: rows 3-7 of bᵀ·c.
        RowMatrix c = random(6, 2, 5);
        RowMatrix full = RowMatrix.allocate(10, 2);
        RowMatrix.gemm(b, true, c, false, full, 0f);
        RowMatrix left = RowMatrix.allocate(5, 2);
        RowMatrix.gemm(b.columns(3, 5), true, c, false, left, 0f);
        float[] f = all(full);
        float[] l = all(left);
        for (int i = 0; i < 10; i++) assertEquals(f[6 + i], l[i], 1e-5, "element " + i);
    }

    @Test
    void overAnNd4jViewSeesTheViewsElements() {
        org.nd4j.linalg.api.ndarray.INDArray big = org.nd4j.linalg.factory.Nd4j.arange(24).castTo(
                org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape('c', 6, 4);
        // Rows 2-4: an offset into the array; columns 1-2: a row stride past the row.
        org.nd4j.linalg.api.ndarray.INDArray rows = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        org.nd4j.linalg.api.ndarray.INDArray cols = big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        assertEquals(true, RowMatrix.isRowMajor(rows));
        assertEquals(true, RowMatrix.isRowMajor(cols));
        assertEquals(false, RowMatrix.isRowMajor(big.transpose()));
        assertThrows(IllegalArgumentException.class, () -> RowMatrix.over(big.transpose()));

        float[] r = new float[12];
        RowMatrix.over(rows).read(r);
        for (int i = 0; i < 12; i++) assertEquals(8 + i, r[i]);
        float[] c = new float[12];
        RowMatrix.over(cols).read(c);
        for (int i = 0; i < 6; i++) {
            assertEquals(4 * i + 1, c[2 * i]);
            assertEquals(4 * i + 2, c[2 * i + 1]);
        }
    }

    @Test
    void transposeIntoWritesTheTransposeAndRefusesOtherShapes() {
        RowMatrix a = random(37, 70, 6);
        RowMatrix t = RowMatrix.allocate(70, 37);
        a.transposeInto(t);
        float[] before = all(a);
        float[] after = all(t);
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 70; j++) assertEquals(before[i * 70 + j], after[j * 37 + i]);
        }
        assertThrows(IllegalArgumentException.class, () -> a.transposeInto(RowMatrix.allocate(37, 70)));
        assertEquals(after[5], all(t)[5]);
    }
}
