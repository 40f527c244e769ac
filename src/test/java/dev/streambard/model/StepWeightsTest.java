package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link StepWeights} refuses shapes that do not fit, before any native code reads past a matrix. */
class StepWeightsTest {

    @Test
    void refusesWeightsAndOperandsOfTheWrongShape() {
        StepWeights weights = new StepWeights(4, 8); // B [4, 8]
        assertThrows(IllegalArgumentException.class, () -> weights.use(RowMatrix.allocate(8, 4), false));
        assertThrows(IllegalArgumentException.class, () -> weights.use(RowMatrix.allocate(4, 8), true));

        RowMatrix bT = RowMatrix.allocate(8, 4); // B given as its transpose
        bT.fill(1f);
        weights.use(bT, true);
        weights.pack(0, 1);
        RowMatrix a = RowMatrix.allocate(3, 4);
        a.fill(2f);
        RowMatrix c = RowMatrix.allocate(3, 8);
        c.fill(0f);
        assertThrows(IllegalArgumentException.class, () -> weights.multiply(RowMatrix.allocate(3, 5), c, 0, 8, 0f));
        assertThrows(IllegalArgumentException.class, () -> weights.multiply(a, RowMatrix.allocate(2, 8), 0, 8, 0f));

        weights.multiply(a, c, 2, 3, 0f); // columns 2-4: 4 · (2 · 1)
        float[] out = new float[24];
        c.read(out);
        for (int j = 0; j < 8; j++) assertEquals(j >= 2 && j < 5 ? 8f : 0f, out[j], "column " + j);
        weights.close();
    }
}
