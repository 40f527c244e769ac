package dev.streambard.model;


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
 * side on the engine's workers (see {@link Slice}); the gate arithmetic runs in native code on the gate rows
 * where that is built, else on the heap in loops the JIT vectorises ({@link LstmSliceCell}).
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
     * of those units) and their cell ({@link LstmSliceCell}). At a step the slices need only each other's h
     * (forward) or deltas (backward) of the step before, so they run side by side on the workers with one
     * hand-off per step, and the gate arithmetic runs on both cores.
     */
    private final class Slice {
        private final int from;
        private final int n;
        private final LstmSliceCell cell;

        Slice(int from, int to) {
            this.from = from;
            this.n = to - from;
            this.cell = LstmSliceCell.create(LstmSequence.this, gates, recurrentGrad, from, to);
        }

        /**
         * What the forward pass adds to the gates: the bias, and with a table [V, G] (row rows[r] for gate row r) these
         * units' columns of each table row; without one the gates hold x·W already.
         */
        void takeInputs(float[] bias, float[] table, int[] rows) {
            int count = table == null ? 1 : table.length / width;
            float[] inputs = new float[count * 4 * n]; // [V, 4n]
            for (int v = 0; v < count; v++) {
                for (int k = 0; k < 4; k++) {
                    int to = v * 4 * n + k * n;
                    System.arraycopy(bias, k * units + from, inputs, to, n);
                    if (table != null) {
                        for (int j = 0; j < n; j++) inputs[to + j] += table[v * width + k * units + from + j];
                    }
                }
            }
            cell.takeInputs(inputs, rows);
        }

        boolean readsTable() {
            return cell.readsTable();
        }

        /** Step t: the gates of these units are h_{t−1}·RW (+ x·W where the gates hold it) + the inputs, then the cell. */
        void forward(int t) {
            boolean xInGates = !cell.readsTable();
            // Gate blocks a, f, o, i of these units: [B, H]·[H, n], four times, added to x·W or written.
            if (t > 0) forwardWeights.multiply(h.rows((t - 1) * batch, batch), gates.rows(t * batch, batch), from, n, 4, units, xInGates ? 1f : 0f);
            cell.forward(t, t > 0 || xInGates);
        }

        /**
         * Step t backwards: first these units' part of δ_{t+1}·RWᵀ (all of step t+1's deltas, written by every
         * slice at the step before), then the cell: the activations of step t become its deltas.
         */
        void backward(int t) {
            if (t < steps - 1) {
                backwardWeights.multiply(gates.rows((t + 1) * batch, batch), recurrentGrad, from, n, 0f); // [B, G]·[G, n]
            }
            cell.backward(t);
        }

        void putTableSums(float[] all) {
            cell.putTableSums(all);
        }

        void putBiasGradient(float[] all) {
            cell.putBiasGradient(all);
        }

        void close() {
            cell.close();
        }
    }

    @Override
    void close() {
        super.close();
        gates.close();
        recurrentGrad.close();
        forwardWeights.close();
        backwardWeights.close();
        for (Slice s : slices) s.close();
    }
}
