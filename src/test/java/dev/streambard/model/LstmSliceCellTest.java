package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streambard.engine.LstmCellKernel;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native cell against the heap cell, step by step through a forward and a backward pass of one slice: the
 * same activations, c, h and deltas, bias gradient and table sums, within float rounding. (Both against DL4J's
 * own layer and finite differences: FastLstmLayerTest, which runs the heap one in the portable-products run.)
 */
class LstmSliceCellTest {
    private static final int STEPS = 4;
    private static final int BATCH = 5;
    private static final int UNITS = 40;
    private static final int FROM = 16; // the slice: units 16..39, 24 of them (not a whole number of vectors)
    private static final int TO = 40;
    private static final int VOCAB = 3;
    private static final float TOLERANCE = 2e-5f;

    /** One layer's matrices and a cell over them. */
    private static final class Run {
        final LstmSequence layer = new LstmSequence(STEPS, BATCH, 1, UNITS);
        final RowMatrix gates = RowMatrix.allocate(STEPS * BATCH, 4 * UNITS);
        final RowMatrix recurrentGrad = RowMatrix.allocate(BATCH, UNITS);
        final LstmSliceCell cell;

        Run(boolean nativeCell) {
            cell = nativeCell ? new LstmSliceCell.Native(layer, gates, recurrentGrad, FROM, TO)
                    : new LstmSliceCell.Heap(layer, gates, recurrentGrad, FROM, TO);
        }

        void close() {
            cell.close();
            layer.close();
            gates.close();
            recurrentGrad.close();
        }
    }

    private static float[] random(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * scale;
        return v;
    }

    private static float[] read(RowMatrix m) {
        float[] v = new float[m.rows * m.cols];
        m.read(v);
        return v;
    }

    @ParameterizedTest(name = "table rows: {0}")
    @ValueSource(booleans = {false, true})
    void nativeAndHeapCellsAgree(boolean table) {
        assumeTrue(LstmCellKernel.available(), "the native cell is not built here (or switched off)");
        Run heap = new Run(false);
        Run fast = new Run(true);
        Random r = new Random(7);
        int n = TO - FROM;
        // Pre-activations of every step (large enough that tanh's clamp is reached), dL/dh from above.
        float[] gates = random(r, STEPS * BATCH * 4 * UNITS, 3f);
        float[] dh = random(r, STEPS * BATCH * UNITS, 1f);
        float[] inputs = random(r, (table ? VOCAB : 1) * 4 * n, 1f);
        int[] rows = null;
        if (table) {
            rows = new int[STEPS * BATCH];
            for (int i = 0; i < rows.length; i++) rows[i] = r.nextInt(VOCAB);
        }
        for (Run run : new Run[]{heap, fast}) {
            run.gates.write(gates);
            run.layer.dh.write(dh);
            run.layer.h.fill(0f);
            run.cell.takeInputs(inputs.clone(), rows);
        }

        for (int t = 0; t < STEPS; t++) {
            for (Run run : new Run[]{heap, fast}) run.cell.forward(t, t > 0 || !table);
        }
        assertArrayEquals(read(heap.gates), read(fast.gates), TOLERANCE, "activations");
        float[] h = read(heap.layer.h);
        assertArrayEquals(h, read(fast.layer.h), TOLERANCE, "h");
        assertTrue(h[FROM] != 0f && h[FROM - 1] == 0f, "h written at the slice's units only");

        for (int t = STEPS - 1; t >= 0; t--) {
            float[] recurrent = random(r, BATCH * UNITS, 1f); // stands in for δ_{t+1}·RWᵀ
            for (Run run : new Run[]{heap, fast}) {
                run.recurrentGrad.write(recurrent);
                run.cell.backward(t);
            }
        }
        assertArrayEquals(read(heap.gates), read(fast.gates), TOLERANCE, "deltas");
        float[] biasHeap = new float[4 * UNITS];
        float[] biasFast = new float[4 * UNITS];
        heap.cell.putBiasGradient(biasHeap);
        fast.cell.putBiasGradient(biasFast);
        assertArrayEquals(biasHeap, biasFast, TOLERANCE, "bias gradient");
        if (table) {
            float[] sumsHeap = new float[VOCAB * 4 * UNITS];
            float[] sumsFast = new float[VOCAB * 4 * UNITS];
            heap.cell.putTableSums(sumsHeap);
            fast.cell.putTableSums(sumsFast);
            assertArrayEquals(sumsHeap, sumsFast, TOLERANCE, "table sums");
            double total = 0;
            for (float v : sumsFast) total += Math.abs(v);
            assertTrue(total > 0, "table sums written");
        }
        heap.close();
        fast.close();
    }
}
