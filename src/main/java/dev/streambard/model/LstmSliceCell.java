package dev.streambard.model;

import static dev.streambard.engine.Activations.sigmoid;
import static dev.streambard.engine.Activations.tanh;

import dev.streambard.engine.LstmCellKernel;
import java.util.Arrays;
import org.bytedeco.javacpp.IntPointer;

/**
 * The gate arithmetic of one slice of an LSTM layer's units, units [from, from + n) of H, over a pass of T steps
 * of B examples: what {@link LstmSequence} runs after each step's recurrent product, on the layer's time-major
 * matrices. Gate blocks in DL4J's order (a, f, o, i): c = f⊙c₋₁ + i⊙a, h = o⊙tanh(c).
 *
 * <p>Two versions compute the same functions: {@link Native} ({@link LstmCellKernel}) works on the gate rows in
 * place, {@link Heap} copies each step's gates to the heap and back and runs loops the JIT vectorises. Training
 * uses the native one where it is built ({@link #create}); the tests run both.
 */
abstract class LstmSliceCell {
    final int steps;   // T
    final int batch;   // B
    final int units;   // H
    final int from;
    final int n;
    final RowMatrix gates;         // [T·B, 4H] the layer's gates: pre-activations, activations, then deltas
    final RowMatrix h;             // [T·B, H]
    final RowMatrix dh;            // [T·B, H] dL/dh from the layer above
    final RowMatrix recurrentGrad; // [B, H] δ_{t+1}·RWᵀ during the backward pass
    /** [T·B] the table row of each gate row, or null: the gates hold x·W and the inputs are the bias alone. */
    int[] tableRows;

    LstmSliceCell(LstmSequence layer, RowMatrix gates, RowMatrix recurrentGrad, int from, int to) {
        this.steps = layer.steps;
        this.batch = layer.batch;
        this.units = layer.units;
        this.from = from;
        this.n = to - from;
        this.gates = gates;
        this.h = layer.h;
        this.dh = layer.dh;
        this.recurrentGrad = recurrentGrad;
    }

    /** The native version where {@link LstmCellKernel} is available, else the heap version. */
    static LstmSliceCell create(LstmSequence layer, RowMatrix gates, RowMatrix recurrentGrad, int from, int to) {
        return LstmCellKernel.available() ? new Native(layer, gates, recurrentGrad, from, to) : new Heap(layer, gates, recurrentGrad, from, to);
    }

    /**
     * What the forward cell adds to the gates of row r = t·B + b: row rows[r] of inputs [V, 4n] (these units'
     * columns of a table row plus the bias), or with rows null row 0 of inputs [1, 4n] (the bias alone).
     */
    abstract void takeInputs(float[] inputs, int[] rows);

    boolean readsTable() {
        return tableRows != null;
    }

    /**
     * Step t forwards: these units' gates hold h_{t−1}·RW (+ x·W), or nothing yet when {@code written} is false
     * (step 0 of a table's pass, which has no product); writes the activations in their place, c, tanh(c) and h.
     */
    abstract void forward(int t, boolean written);

    /**
     * Step t backwards, after step t+1's (t &lt; T−1: {@link #recurrentGrad} holds δ_{t+1}·RWᵀ): the activations
     * of step t become its deltas, which are summed into the bias gradient or, with a table, per table row (the
     * bias gradient is then the column sums of those: one sum a pass instead of a second one every step).
     */
    abstract void backward(int t);

    /** These units' column sums of the deltas, into the layer's [4H] bias gradient. */
    abstract void putBiasGradient(float[] all);

    /** These units' columns of the deltas summed per table row, into the layer's [V·4H] sums. */
    abstract void putTableSums(float[] all);

    /** Frees native buffers now rather than at garbage collection. */
    void close() {
    }

    /** Gate block k's columns of these units in a [rows, 4H] matrix. */
    final RowMatrix block(RowMatrix m, int k) {
        return m.columns(k * units + from, n);
    }

    /** The bias gradient [4n] from the table sums [V·4n]: every delta row was added to exactly one table row. */
    final float[] columnSums(float[] tableSums) {
        float[] sums = new float[4 * n];
        for (int r = 0; r < tableSums.length; r += 4 * n) {
            for (int j = 0; j < 4 * n; j++) sums[j] += tableSums[r + j];
        }
        return sums;
    }

    /** Copies a [V·4n] block of rows into the layer's [V·4H] matrix, at these units' columns of each block. */
    final void spread(float[] slice, float[] all) {
        for (int v = 0; v < slice.length / (4 * n); v++) {
            for (int k = 0; k < 4; k++) System.arraycopy(slice, (v * 4 + k) * n, all, v * 4 * units + k * units + from, n);
        }
    }

    /** The cell on the gate rows in native memory, by {@link LstmCellKernel}. */
    static final class Native extends LstmSliceCell {
        private final RowMatrix cells;      // [T·B, n] c (tanh(c) is computed again backwards: 26 MB less, tutorial shape)
        private final RowMatrix zeros;      // [B, n] c₋₁ before the first step, and δ_T·RWᵀ after the last
        private final RowMatrix carry;      // [B, n] dL/dc that flows into step t−1 through f_t
        private final RowMatrix biasGrad;   // [1, 4n]
        private RowMatrix inputs;           // [V, 4n] or [1, 4n]
        private RowMatrix tableSums;        // [V, 4n] with a table
        private IntPointer rows;            // [T·B] the table rows, with a table

        Native(LstmSequence layer, RowMatrix gates, RowMatrix recurrentGrad, int from, int to) {
            super(layer, gates, recurrentGrad, from, to);
            cells = RowMatrix.allocate(steps * batch, n);
            zeros = RowMatrix.allocate(batch, n);
            zeros.fill(0f);
            carry = RowMatrix.allocate(batch, n);
            biasGrad = RowMatrix.allocate(1, 4 * n);
        }

        @Override
        void takeInputs(float[] values, int[] tableRows) {
            int count = values.length / (4 * n);
            if (inputs == null || inputs.rows != count) {
                if (inputs != null) inputs.close();
                inputs = RowMatrix.allocate(count, 4 * n);
            }
            inputs.write(values);
            this.tableRows = tableRows;
            if (tableRows == null) return;
            if (tableSums == null || tableSums.rows != count) {
                if (tableSums != null) tableSums.close();
                tableSums = RowMatrix.allocate(count, 4 * n);
            }
            if (rows == null || rows.capacity() != tableRows.length) {
                if (rows != null) rows.close();
                rows = new IntPointer(tableRows.length);
            }
            rows.put(tableRows);
        }

        @Override
        void forward(int t, boolean written) {
            int row = t * batch;
            if (!written) {
                for (int k = 0; k < 4; k++) block(gates.rows(row, batch), k).fill(0f);
            }
            long prev = t > 0 ? cells.address(row - batch, 0) : zeros.address();
            LstmCellKernel.forward(gates.address(row, from), gates.stride(), units, n, batch, inputs.address(),
                    tableRows == null ? 0 : rowsAt(t), prev, cells.address(row, 0), h.address(row, from), h.stride());
        }

        @Override
        void backward(int t) {
            if (t == steps - 1) {
                carry.fill(0f);
                biasGrad.fill(0f);
                if (tableRows != null) tableSums.fill(0f);
            }
            int row = t * batch;
            RowMatrix recurrent = t < steps - 1 ? recurrentGrad.columns(from, n) : zeros; // δ_T·RWᵀ = 0
            long prev = t > 0 ? cells.address(row - batch, 0) : zeros.address();
            LstmCellKernel.backward(gates.address(row, from), gates.stride(), units, n, batch, dh.address(row, from),
                    dh.stride(), recurrent.address(), recurrent.stride(), carry.address(), prev, cells.address(row, 0),
                    biasGrad.address(), tableRows == null ? 0 : tableSums.address(), tableRows == null ? 0 : rowsAt(t));
        }

        /** The address of step t's B table rows. */
        private long rowsAt(int t) {
            return rows.address() + (long) t * batch * Integer.BYTES;
        }

        @Override
        void putBiasGradient(float[] all) {
            if (tableRows != null) {
                spread(columnSums(tableSumsOnHeap()), all);
                return;
            }
            float[] sums = new float[4 * n];
            biasGrad.read(sums);
            spread(sums, all);
        }

        @Override
        void putTableSums(float[] all) {
            spread(tableSumsOnHeap(), all);
        }

        private float[] tableSumsOnHeap() {
            float[] sums = new float[tableSums.rows * 4 * n];
            tableSums.read(sums);
            return sums;
        }

        @Override
        void close() {
            cells.close();
            zeros.close();
            carry.close();
            biasGrad.close();
            if (inputs != null) inputs.close();
            if (tableSums != null) tableSums.close();
            if (rows != null) rows.close();
        }
    }

    /** The cell in Java on heap copies of each step's gates: where the native one is not built. */
    static final class Heap extends LstmSliceCell {
        private final float[] z;          // [B·4n] one step's gates: per example the blocks a, f, o, i of n each
        private float[] inputs;           // [V·4n] or [4n]
        private float[] tableSums;        // [V·4n] with a table
        private final float[] cells;      // [T·B·n] c (tanh(c) is computed again backwards, as in the native cell)
        private final float[] zeroState;  // [B·n] c₋₁ before the first step
        private final float[] state;      // [B·n] one step's h (forward) or dL/dh (backward)
        private final float[] recurrent;  // [B·n] one step's δ_{t+1}·RWᵀ
        private final float[] cellCarry;  // [B·n] dL/dc_t that flows into step t−1 through f_t
        private final float[] biasGrad;   // [4n]

        Heap(LstmSequence layer, RowMatrix gates, RowMatrix recurrentGrad, int from, int to) {
            super(layer, gates, recurrentGrad, from, to);
            z = new float[batch * 4 * n];
            cells = new float[steps * batch * n];
            zeroState = new float[batch * n];
            state = new float[batch * n];
            recurrent = new float[batch * n];
            cellCarry = new float[batch * n];
            biasGrad = new float[4 * n];
        }

        @Override
        void takeInputs(float[] values, int[] tableRows) {
            inputs = values;
            this.tableRows = tableRows;
            if (tableRows != null && (tableSums == null || tableSums.length != values.length)) tableSums = new float[values.length];
        }

        @Override
        void forward(int t, boolean written) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            if (written) {
                for (int k = 0; k < 4; k++) block(stepGates, k).read(z, k * n, 4 * n);
            } else {
                Arrays.fill(z, 0f);
            }
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * batch * n : 0;
            for (int b = 0; b < batch; b++) {
                int input = tableRows == null ? 0 : tableRows[t * batch + b] * 4 * n;
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
            for (int j = 0; j < n; j++) state[out + j] = z[o + j] * tanh(cells[cell + j]);
        }

        @Override
        void backward(int t) {
            if (t == steps - 1) {
                Arrays.fill(recurrent, 0f);
                Arrays.fill(cellCarry, 0f);
                Arrays.fill(biasGrad, 0f);
                if (tableRows != null) Arrays.fill(tableSums, 0f);
            } else {
                recurrentGrad.columns(from, n).read(recurrent, 0, n);
            }
            RowMatrix stepGates = gates.rows(t * batch, batch);
            for (int k = 0; k < 4; k++) block(stepGates, k).read(z, k * n, 4 * n);
            dh.rows(t * batch, batch).columns(from, n).read(state, 0, n);
            float[] prevCells = t > 0 ? cells : zeroState;
            int prev = t > 0 ? (t - 1) * batch * n : 0;
            for (int b = 0; b < batch; b++) cellBackward(b * 4 * n, prevCells, prev + b * n, (t * batch + b) * n, b * n);
            for (int k = 0; k < 4; k++) block(stepGates, k).write(z, k * n, 4 * n);
            for (int b = 0; b < batch; b++) { // with a table the bias gradient comes from its sums (columnSums)
                float[] sums = tableRows != null ? tableSums : biasGrad;
                int to = tableRows != null ? tableRows[t * batch + b] * 4 * n : 0;
                for (int j = 0; j < 4 * n; j++) sums[to + j] += z[b * 4 * n + j];
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
                float tc = tanh(cells[cell + j]);
                float oj = z[o + j];
                cellCarry[out + j] += state[out + j] * oj * (1 - tc * tc);             // dL/dc_t
                z[o + j] = state[out + j] * tc * oj * (1 - oj);
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

        @Override
        void putBiasGradient(float[] all) {
            spread(tableRows != null ? columnSums(tableSums) : biasGrad, all);
        }

        @Override
        void putTableSums(float[] all) {
            spread(tableSums, all);
        }
    }
}
