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
 * products (h·RW forward, δ·RWᵀ backward) go step by step. Each step runs as slices of the units side by
 * side on the engine's workers (see {@link Slice}); the gate arithmetic runs on the heap in simple loops,
 * which the JIT vectorises.
 */
final class LstmSequence extends RecurrentSequence {
    private final int width; // G = 4H

    /** [T·B, G] gate pre-activations, then (after forward) activations, then (after backward) deltas dL/dz. */
    private final RowMatrix gates;
    /** [B, H] δ_{t+1}·RWᵀ, the gradient reaching h_t through the recurrent weights. */
    private final RowMatrix recurrentGrad;
    /** The units, split for the workers: each step's products and arithmetic run slice by slice, side by side. */
    private final Slice[] slices;
    /** RW [H, G], right operand of h·RW; RWᵀ [G, H], of δ·RWᵀ. */
    private final StepWeights forwardWeights;
    private final StepWeights backwardWeights;

    private final float[] biasGrad;   // [G] column sums of the deltas
    private float[] tableBuffer = new float[0]; // [V·G] a table's rows on the heap, sized on first use

    LstmSequence(int steps, int batch, int inputs, int units) {
        super(steps, batch, inputs, units);
        this.width = 4 * units;
        gates = RowMatrix.allocate(steps * batch, width);
        recurrentGrad = RowMatrix.allocate(batch, units);
        int count = UnitSlices.count(units);
        slices = new Slice[count];
        for (int j = 0; j < count; j++) slices[j] = new Slice(UnitSlices.start(units, count, j), UnitSlices.start(units, count, j + 1));
        forwardWeights = new StepWeights(units, width);
        backwardWeights = new StepWeights(width, units, forwardWeights); // the passes take turns with one copy
        biasGrad = new float[width];
    }

    /** x → h, keeping what {@link #backward} needs. wT = Wᵀ [G, N], rwT = RWᵀ [G, H], bias [G]. */
    void forward(RowMatrix wT, RowMatrix rwT, float[] bias) {
        RowMatrix.gemm(x, false, wT, true, gates, 0f); // [T·B, N]·[N, G]
        for (Slice s : slices) s.takeInputs(bias, null, null); // the gates hold x·W
        recur(rwT);
    }

    /**
     * As {@link #forward}, for an input whose rows are rows of a table E [V, N] (an embedding): row r of x is
     * E[rows[r]], so x·W is row rows[r] of projection = E·W [V, G], which the cell adds as it adds the bias
     * (V ≪ T·B: no product over all rows, and no copy of 6,400 table rows into the gates). {@link #x} is not read.
     */
    void forwardFromTable(RowMatrix projection, int[] rows, RowMatrix rwT, float[] bias) {
        if (rows.length != steps * batch || projection.cols != width) {
            throw new IllegalArgumentException(rows.length + " rows of a table of width " + projection.cols);
        }
        float[] table = tableScratch(projection.rows);
        projection.read(table);
        for (Slice s : slices) s.takeInputs(bias, table, rows);
        recur(rwT);
    }

    /** A heap buffer for a [rows, G] table, reused across passes (its contents are not cleared). */
    private float[] tableScratch(int rows) {
        if (tableBuffer.length != rows * width) tableBuffer = new float[rows * width];
        return tableBuffer;
    }

    /** The recurrence, each slice's inputs taken: step by step, h·RW then the gate arithmetic. */
    private void recur(RowMatrix rwT) {
        forwardWeights.use(rwT, true);
        runSteps(slices.length, forwardWeights, false, (j, t) -> slices[j].forward(t));
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
     * As {@link #backward}, after a {@link #forwardFromTable} of the same input: instead of dx, the table's
     * gradient dTable [V, N]. With S [V, G] the deltas summed per table row (scratch, overwritten; the cell
     * adds each step's deltas to their rows while they are in cache), dWᵀ = Sᵀ·E and dE = S·Wᵀ: products over
     * V rows instead of T·B.
     */
    void backwardToTable(RowMatrix table, RowMatrix wT, RowMatrix rwT, RowMatrix dwT, RowMatrix drwT, RowMatrix db,
                         RowMatrix sums, RowMatrix dTable) {
        if (!slices[0].readsTable()) throw new IllegalStateException("the last forward pass did not read a table");
        if (sums.rows * width != tableBuffer.length || sums.cols != width) {
            throw new IllegalArgumentException("sums [" + sums.rows + ", " + sums.cols + "] for a table of " + tableBuffer.length / width + " rows");
        }
        recurBackward(rwT, drwT, db);
        float[] summed = tableScratch(sums.rows);
        for (Slice s : slices) s.putTableSums(summed);
        sums.write(summed);
        RowMatrix.gemm(sums, true, table, false, dwT, 0f);  // [G, V]·[V, N]
        RowMatrix.gemm(sums, false, wT, false, dTable, 0f); // [V, G]·[G, N]
    }

    /** Back through the recurrence: gates become the deltas dL/dz; then drwT and db. */
    private void recurBackward(RowMatrix rwT, RowMatrix drwT, RowMatrix db) {
        backwardWeights.use(rwT, false);
        runSteps(slices.length, backwardWeights, true, (j, t) -> slices[j].backward(t));
        for (Slice s : slices) s.putBiasGradient(biasGrad);
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
     * Units [from, from + n) at every step: their columns of each gate block (four products with RW's columns
     * of those units) and all their arithmetic, in buffers of their own. At a step the slices need only each
     * other's h (forward) or deltas (backward) of the step before, so they run side by side on the workers with
     * one hand-off per step, and the gate arithmetic runs on both cores.
     */
    private final class Slice {
        private final int from;
        private final int n;
        private final float[] z;          // [B·4n] one step's gates: per example the blocks a, f, o, i of n each
        // The inputs the cell adds to the gates at row r = t·B + b: inputs[inputRow(r)·4n, + 4n), these units'
        // columns of a table row plus the bias; one row (the bias alone) when the gates hold x·W already.
        private float[] inputs;           // [V·4n] or [4n]
        private int[] tableRows;          // [T·B] the table row of each gate row, or null (the gates hold x·W)
        private float[] tableSums;        // [V·4n] with a table: these units' deltas summed per table row
        private final float[] cells;      // [T·B·n] c
        private final float[] tanhCells;  // [T·B·n] tanh(c)
        private final float[] zeroState;  // [B·n] c₋₁ before the first step
        private final float[] state;      // [B·n] one step's h (forward) or dL/dh (backward)
        private final float[] recurrent;  // [B·n] one step's δ_{t+1}·RWᵀ
        private final float[] cellCarry;  // [B·n] dL/dc_t that flows into step t−1 through f_t
        private final float[] biasGrad;   // [4n]

        Slice(int from, int to) {
            this.from = from;
            this.n = to - from;
            z = new float[batch * 4 * n];
            inputs = new float[4 * n];
            cells = new float[steps * batch * n];
            tanhCells = new float[steps * batch * n];
            zeroState = new float[batch * n];
            state = new float[batch * n];
            recurrent = new float[batch * n];
            cellCarry = new float[batch * n];
            biasGrad = new float[4 * n];
        }

        /** Gate block k's columns of these units in a [rows, G] matrix. */
        private RowMatrix block(RowMatrix m, int k) {
            return m.columns(k * units + from, n);
        }

        /**
         * What the forward pass adds to the gates: the bias, and with a table [V, G] (row rows[r] for gate row r) these
         * units' columns of each table row; without one the gates hold x·W already.
         */
        void takeInputs(float[] bias, float[] table, int[] rows) {
            int count = table == null ? 1 : table.length / width;
            if (inputs.length != count * 4 * n) inputs = new float[count * 4 * n];
            for (int v = 0; v < count; v++) {
                for (int k = 0; k < 4; k++) {
                    int to = v * 4 * n + k * n;
                    System.arraycopy(bias, k * units + from, inputs, to, n);
                    if (table != null) {
                        for (int j = 0; j < n; j++) inputs[to + j] += table[v * width + k * units + from + j];
                    }
                }
            }
            tableRows = rows;
            if (table != null && (tableSums == null || tableSums.length != inputs.length)) tableSums = new float[inputs.length];
        }

        /**
         * Step t: the gates of these units are h_{t−1}·RW (+ x·W where the gates hold it) + the inputs taken, then the
         * cell; writes c, tanh(c), the activations and h.
         */
        void forward(int t) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            boolean xInGates = tableRows == null;
            // Gate blocks a, f, o, i of these units: [B, H]·[H, n], four times, added to x·W or written.
            if (t > 0) forwardWeights.multiply(h.rows((t - 1) * batch, batch), stepGates, from, n, 4, units, xInGates ? 1f : 0f);
            if (t > 0 || xInGates) {
                for (int k = 0; k < 4; k++) block(stepGates, k).read(z, k * n, 4 * n);
            } else {
                Arrays.fill(z, 0f);
            }
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * batch * n : 0;
            for (int b = 0; b < batch; b++) {
                int input = xInGates ? 0 : tableRows[t * batch + b] * 4 * n;
                cellForward(b * 4 * n, input, prevCells, prev + b * n, (t * batch + b) * n, b * n);
            }
            for (int k = 0; k < 4; k++) block(stepGates, k).write(z, k * n, 4 * n);
            h.rows(t * batch, batch).columns(from, n).write(state, 0, n);
        }

        /**
         * One example: its gates at z[g, g + 4n), its inputs at inputs[input], its c₋₁ at prevCells[prev], its c at
         * cells[cell], its h at state[out].
         */
        private void cellForward(int g, int input, float[] prevCells, int prev, int cell, int out) {
            for (int j = 0; j < 4 * n; j++) z[g + j] += inputs[input + j];
            for (int j = g; j < g + n; j++) z[j] = tanh(z[j]);                  // a
            for (int j = g + n; j < g + 4 * n; j++) z[j] = sigmoid(z[j]);       // f, o, i
            int a = g;
            int f = g + n;
            int o = g + 2 * n;
            int i = g + 3 * n;
            for (int j = 0; j < n; j++) cells[cell + j] = z[f + j] * prevCells[prev + j] + z[i + j] * z[a + j];
            for (int j = 0; j < n; j++) tanhCells[cell + j] = tanh(cells[cell + j]);
            for (int j = 0; j < n; j++) state[out + j] = z[o + j] * tanhCells[cell + j];
        }

        /**
         * Step t backwards: first these units' part of δ_{t+1}·RWᵀ (all of step t+1's deltas, written by every
         * slice at the step before), then the cell: the activations of step t become its deltas.
         */
        void backward(int t) {
            if (t == steps - 1) {
                Arrays.fill(recurrent, 0f);
                Arrays.fill(cellCarry, 0f);
                Arrays.fill(biasGrad, 0f);
                if (tableRows != null) Arrays.fill(tableSums, 0f);
            } else {
                backwardWeights.multiply(gates.rows((t + 1) * batch, batch), recurrentGrad, from, n, 0f); // [B, G]·[G, n]
                recurrentGrad.columns(from, n).read(recurrent, 0, n);
            }
            RowMatrix stepGates = gates.rows(t * batch, batch);
            for (int k = 0; k < 4; k++) block(stepGates, k).read(z, k * n, 4 * n);
            dh.rows(t * batch, batch).columns(from, n).read(state, 0, n);
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * batch * n : 0;
            for (int b = 0; b < batch; b++) cellBackward(b * 4 * n, prevCells, prev + b * n, (t * batch + b) * n, b * n);
            for (int k = 0; k < 4; k++) block(stepGates, k).write(z, k * n, 4 * n);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < 4 * n; j++) biasGrad[j] += z[b * 4 * n + j];
            }
            if (tableRows != null) {
                for (int b = 0; b < batch; b++) {
                    int to = tableRows[t * batch + b] * 4 * n;
                    for (int j = 0; j < 4 * n; j++) tableSums[to + j] += z[b * 4 * n + j];
                }
            }
        }

        /**
         * One example, its activations at z[g, g + 4n) replaced by their deltas dL/dz. The gradient reaching h
         * is state (from above) + recurrent (from step t+1); cellCarry holds dL/dc from step t+1 through its
         * forget gate and is replaced by this step's.
         */
        private void cellBackward(int g, float[] prevCells, int prev, int cell, int out) {
            int a = g;
            int f = g + n;
            int o = g + 2 * n;
            int i = g + 3 * n;
            for (int j = 0; j < n; j++) {
                state[out + j] += recurrent[out + j];                                   // dL/dh_t
            }
            for (int j = 0; j < n; j++) {
                float tc = tanhCells[cell + j];
                cellCarry[out + j] += state[out + j] * z[o + j] * (1 - tc * tc);       // dL/dc_t
            }
            for (int j = 0; j < n; j++) {
                float oj = z[o + j];
                z[o + j] = state[out + j] * tanhCells[cell + j] * oj * (1 - oj);
            }
            for (int j = 0; j < n; j++) {
                float dc = cellCarry[out + j];
                float aj = z[a + j];
                float ij = z[i + j];
                float fj = z[f + j];
                z[a + j] = dc * ij * (1 - aj * aj);
                z[i + j] = dc * aj * ij * (1 - ij);
                z[f + j] = dc * prevCells[prev + j] * fj * (1 - fj);
                cellCarry[out + j] = dc * fj;
            }
        }

        boolean readsTable() {
            return tableRows != null;
        }

        /** These units' columns of the deltas summed per table row, into the layer's [V·G] sums. */
        void putTableSums(float[] all) {
            for (int v = 0; v < all.length / width; v++) {
                for (int k = 0; k < 4; k++) System.arraycopy(tableSums, (v * 4 + k) * n, all, v * width + k * units + from, n);
            }
        }

        /** These units' column sums of the deltas, into the layer's [G] bias gradient. */
        void putBiasGradient(float[] all) {
            for (int k = 0; k < 4; k++) System.arraycopy(biasGrad, k * n, all, k * units + from, n);
        }
    }

    @Override
    void close() {
        super.close();
        gates.close();
        recurrentGrad.close();
        forwardWeights.close();
        backwardWeights.close();
    }
}
