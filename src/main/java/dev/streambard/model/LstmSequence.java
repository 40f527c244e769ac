package dev.streambard.model;

import static dev.streambard.engine.Activations.sigmoid;
import static dev.streambard.engine.Activations.tanh;

import java.util.Arrays;

/**
 * Forward and backward passes of one LSTM layer over a batch of whole sequences, with every buffer sized
 * once for a shape (T steps, B examples, N inputs, H units) and reused across iterations.
 *
 * <p>Gate blocks in DL4J's order (a, f, o, i), G = 4H columns: a = tanh(za), f, o, i = σ(z),
 * c = f⊙c₋₁ + i⊙a, h = o⊙tanh(c); every sequence starts from h = c = 0. Matrices are time-major:
 * row t·B + b holds example b at step t, so a step is a block of B consecutive rows.
 *
 * <p>Cost: the input projection, the weight gradients and the input gradient are one matrix product
 * each over all T·B rows (over the V rows of a table when the input is an embedding); only the recurrent
 * products (h·RW forward, δ·RWᵀ backward) go step by step.
 * The gate arithmetic runs on the heap in simple loops, which the JIT vectorises.
 */
final class LstmSequence extends RecurrentSequence {
    private final int width; // G = 4H

    /** [T·B, G] gate pre-activations, then (after forward) activations, then (after backward) deltas dL/dz. */
    private final RowMatrix gates;
    /** [B, H] δ_t·RWᵀ, the gradient reaching h_{t-1} through the recurrent weights. */
    private final RowMatrix recurrentGrad;

    private final float[] cells;      // [T·B·H] c
    private final float[] tanhCells;  // [T·B·H] tanh(c)
    private final float[] zeroState;  // [B·H] c₋₁ and h₋₁ before the first step
    private final float[] gateRows;   // [B·G] one step's gates
    private final float[] stateRows;  // [B·H] one step's h (forward) or dL/dh (backward)
    private final float[] recurrentRows; // [B·H] one step's δ·RWᵀ
    private final float[] cellCarry;  // [B·H] dL/dc_t that flows into step t−1 through f_t
    private final float[] biasGrad;   // [G] column sums of the deltas
    private float[] tableRows = new float[0]; // [V·G] a table's rows on the heap, sized on first use

    LstmSequence(int steps, int batch, int inputs, int units) {
        super(steps, batch, inputs, units);
        this.width = 4 * units;
        int rows = steps * batch;
        gates = RowMatrix.allocate(rows, width);
        recurrentGrad = RowMatrix.allocate(batch, units);
        cells = new float[rows * units];
        tanhCells = new float[rows * units];
        zeroState = new float[batch * units];
        gateRows = new float[batch * width];
        stateRows = new float[batch * units];
        recurrentRows = new float[batch * units];
        cellCarry = new float[batch * units];
        biasGrad = new float[width];
    }

    /** x → h, keeping what {@link #backward} needs. wT = Wᵀ [G, N], rwT = RWᵀ [G, H], bias [G]. */
    void forward(RowMatrix wT, RowMatrix rwT, float[] bias) {
        RowMatrix.gemm(x, false, wT, true, gates, 0f); // [T·B, N]·[N, G]
        recur(rwT, bias);
    }

    /**
     * As {@link #forward}, for an input whose rows are rows of a table E [V, N] (an embedding): row r of x is
     * E[rows[r]], so x·W is row rows[r] of projection = E·W [V, G], gathered instead of multiplied (V ≪ T·B).
     * {@link #x} is not read.
     */
    void forwardFromTable(RowMatrix projection, int[] rows, RowMatrix rwT, float[] bias) {
        if (rows.length != steps * batch || projection.cols != width) {
            throw new IllegalArgumentException(rows.length + " rows of a table of width " + projection.cols);
        }
        float[] table = tableScratch(projection.rows);
        projection.read(table);
        for (int r = 0; r < rows.length; r++) gates.writeRow(r, table, rows[r] * width);
        recur(rwT, bias);
    }

    /** A heap buffer for a [rows, G] table, reused across passes (its contents are not cleared). */
    private float[] tableScratch(int rows) {
        if (tableRows.length != rows * width) tableRows = new float[rows * width];
        return tableRows;
    }

    /** The recurrence over the input projections in gates: step by step, h·RW then the gate arithmetic. */
    private void recur(RowMatrix rwT, float[] bias) {
        int stateSize = batch * units;
        for (int t = 0; t < steps; t++) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            if (t > 0) RowMatrix.gemm(h.rows((t - 1) * batch, batch), false, rwT, true, stepGates, 1f); // += [B, H]·[H, G]
            stepGates.read(gateRows);
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * stateSize : 0;
            for (int b = 0; b < batch; b++) {
                cellForward(b * width, prevCells, prev + b * units, t * stateSize + b * units, b * units, bias);
            }
            stepGates.write(gateRows);
            h.rows(t * batch, batch).write(stateRows);
        }
    }

    /**
     * One example at one step. g: its gate columns in gateRows; prev: its c₋₁ in prevCells;
     * cell: its c in cells; state: its h in stateRows.
     */
    private void cellForward(int g, float[] prevCells, int prev, int cell, int state, float[] bias) {
        int hu = units;
        float[] z = gateRows;
        for (int j = 0; j < width; j++) z[g + j] += bias[j];
        for (int j = g; j < g + hu; j++) z[j] = tanh(z[j]);                  // a
        for (int j = g + hu; j < g + width; j++) z[j] = sigmoid(z[j]);       // f, o, i
        int a = g;
        int f = g + hu;
        int i = g + 3 * hu;
        for (int j = 0; j < hu; j++) cells[cell + j] = z[f + j] * prevCells[prev + j] + z[i + j] * z[a + j];
        for (int j = 0; j < hu; j++) tanhCells[cell + j] = tanh(cells[cell + j]);
        int o = g + 2 * hu;
        for (int j = 0; j < hu; j++) stateRows[state + j] = z[o + j] * tanhCells[cell + j];
    }

    /**
     * dh → dx and the parameter gradients, after a {@link #forward} on the same input and weights. The
     * gradients, transposed as the weights are, are overwritten: dwT [G, N], drwT [G, H], db [G].
     */
    void backward(RowMatrix wT, RowMatrix rwT, RowMatrix dwT, RowMatrix drwT, RowMatrix db) {
        recurBackward(rwT, drwT, db);
        RowMatrix.gemm(gates, true, x, false, dwT, 0f); // [G, T·B]·[T·B, N]
        RowMatrix.gemm(gates, false, wT, false, dx, 0f); // [T·B, G]·[G, N]
    }

    /**
     * As {@link #backward}, after a {@link #forwardFromTable} with the same rows: instead of dx, the table's
     * gradient dTable [V, N]. With S [V, G] the deltas summed per table row (scratch, overwritten),
     * dWᵀ = Sᵀ·E and dE = S·Wᵀ: products over V rows instead of T·B.
     */
    void backwardToTable(int[] rows, RowMatrix table, RowMatrix wT, RowMatrix rwT, RowMatrix dwT, RowMatrix drwT,
                         RowMatrix db, RowMatrix sums, RowMatrix dTable) {
        recurBackward(rwT, drwT, db);
        float[] summed = tableScratch(sums.rows);
        Arrays.fill(summed, 0f);
        for (int r = 0; r < rows.length; r++) {
            gates.readRow(r, gateRows, 0);
            int to = rows[r] * width;
            for (int j = 0; j < width; j++) summed[to + j] += gateRows[j];
        }
        sums.write(summed);
        RowMatrix.gemm(sums, true, table, false, dwT, 0f);  // [G, V]·[V, N]
        RowMatrix.gemm(sums, false, wT, false, dTable, 0f); // [V, G]·[G, N]
    }

    /** Back through the recurrence: gates become the deltas dL/dz; then drwT and db. */
    private void recurBackward(RowMatrix rwT, RowMatrix drwT, RowMatrix db) {
        Arrays.fill(recurrentRows, 0f);
        Arrays.fill(cellCarry, 0f);
        Arrays.fill(biasGrad, 0f);
        int stateSize = batch * units;
        for (int t = steps - 1; t >= 0; t--) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            stepGates.read(gateRows);
            dh.rows(t * batch, batch).read(stateRows);
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * stateSize : 0;
            for (int b = 0; b < batch; b++) {
                cellBackward(b * width, prevCells, prev + b * units, t * stateSize + b * units, b * units);
            }
            stepGates.write(gateRows);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < width; j++) biasGrad[j] += gateRows[b * width + j];
            }
            if (t > 0) {
                RowMatrix.gemm(stepGates, false, rwT, false, recurrentGrad, 0f); // [B, G]·[G, H]
                recurrentGrad.read(recurrentRows);
            }
        }
        db.write(biasGrad);
        int rows = steps * batch;
        if (steps > 1) {
            // dRWᵀ = Σ_{t ≥ 1} δ_tᵀ·h_{t−1} (h₋₁ = 0): [G, (T−1)·B]·[(T−1)·B, H]
            RowMatrix.gemm(gates.rows(batch, rows - batch), true, h.rows(0, rows - batch), false, drwT, 0f);
        } else {
            drwT.fill(0f);
        }
    }

    /**
     * One example at one step, gates (activations) in gateRows replaced by their deltas dL/dz. The
     * gradient reaching h is stateRows (from above) + recurrentRows (from step t+1); cellCarry holds
     * dL/dc from step t+1 through its forget gate and is replaced by this step's.
     */
    private void cellBackward(int g, float[] prevCells, int prev, int cell, int state) {
        int hu = units;
        float[] z = gateRows;
        int a = g;
        int f = g + hu;
        int o = g + 2 * hu;
        int i = g + 3 * hu;
        for (int j = 0; j < hu; j++) {
            stateRows[state + j] += recurrentRows[state + j];                      // dL/dh_t
        }
        for (int j = 0; j < hu; j++) {
            float tc = tanhCells[cell + j];
            cellCarry[state + j] += stateRows[state + j] * z[o + j] * (1 - tc * tc); // dL/dc_t
        }
        for (int j = 0; j < hu; j++) {
            float oj = z[o + j];
            z[o + j] = stateRows[state + j] * tanhCells[cell + j] * oj * (1 - oj);
        }
        for (int j = 0; j < hu; j++) {
            float dc = cellCarry[state + j];
            float aj = z[a + j];
            float ij = z[i + j];
            float fj = z[f + j];
            z[a + j] = dc * ij * (1 - aj * aj);
            z[i + j] = dc * aj * ij * (1 - ij);
            z[f + j] = dc * prevCells[prev + j] * fj * (1 - fj);
            cellCarry[state + j] = dc * fj;
        }
    }

    @Override
    void close() {
        super.close();
        gates.close();
        recurrentGrad.close();
    }
}
