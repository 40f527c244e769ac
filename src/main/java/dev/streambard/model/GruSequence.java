package dev.streambard.model;

import static dev.streambard.engine.Activations.sigmoid;
import static dev.streambard.engine.Activations.tanh;

import java.util.Arrays;

/**
 * Forward and backward passes of one GRU layer over a batch of whole sequences, with every buffer sized
 * once for a shape (T steps, B examples, N inputs, H units) and reused across iterations.
 *
 * <p>Gate blocks in {@link GruLayer}'s order (r, u, c), G = 3H columns, as ND4J's {@code gru} op and the
 * inference engine compute them: r, u = σ(x·Wx[r|u] + h₋₁·Wh[r|u] + b[r|u]),
 * c = tanh(x·Wxc + bc + r⊙(h₋₁·Whc)), h = u⊙h₋₁ + (1−u)⊙c; every sequence starts from h = 0. The reset
 * gate scales the recurrent product, so one product h₋₁·Wh [B, H]·[H, G] per step serves all three gates.
 * Matrices are time-major: row t·B + b holds example b at step t, so a step is a block of B consecutive rows.
 *
 * <p>Cost: the input projection, the weight gradients and the input gradient are one matrix product
 * each over all T·B rows; only the recurrent products (h₋₁·Wh forward, δ·Whᵀ backward) go step by step.
 * Each step runs as slices of the units side by side on the engine's workers (see {@link Slice}); the
 * gate arithmetic runs on the heap in simple loops, which the JIT vectorises.
 */
final class GruSequence extends RecurrentSequence {
    private final int width; // G = 3H

    /**
     * [T·B, G] x·Wx, then (after forward) the activations r, u, c, then (after backward) the deltas of the
     * input projection's sum dL/d(x·Wx): the gradient of Wx, of b and of x.
     */
    private final RowMatrix gates;
    /** [T·B, G] the deltas of the recurrent product dL/d(h₋₁·Wh), after backward: the gradient of Wh. */
    private final RowMatrix recurrentDeltas;
    /** [B, G] one step's h₋₁·Wh. */
    private final RowMatrix recurrent;
    /** [B, H] δ_{t+1}·Whᵀ, the gradient reaching h_t through the recurrent weights. */
    private final RowMatrix recurrentGrad;
    /** The units, split for the workers: each step's products and arithmetic run slice by slice, side by side. */
    private final Slice[] slices;
    /** Wh [H, G], right operand of h₋₁·Wh; Whᵀ [G, H], of δ·Whᵀ. */
    private final StepWeights forwardWeights;
    private final StepWeights backwardWeights;
    private final float[] biasGrad; // [G] column sums of the input deltas

    GruSequence(int steps, int batch, int inputs, int units) {
        super(steps, batch, inputs, units);
        this.width = 3 * units;
        int rows = steps * batch;
        gates = RowMatrix.allocate(rows, width);
        recurrentDeltas = RowMatrix.allocate(rows, width);
        recurrent = RowMatrix.allocate(batch, width);
        recurrentGrad = RowMatrix.allocate(batch, units);
        int count = UnitSlices.count(units);
        slices = new Slice[count];
        for (int j = 0; j < count; j++) slices[j] = new Slice(UnitSlices.start(units, count, j), UnitSlices.start(units, count, j + 1));
        forwardWeights = new StepWeights(units, width);
        backwardWeights = new StepWeights(width, units, forwardWeights); // the passes take turns with one copy
        biasGrad = new float[width];
    }

    /** x → h, keeping what {@link #backward} needs. wx [N, G], wh [H, G], bias [G]. */
    void forward(RowMatrix wx, RowMatrix wh, float[] bias) {
        RowMatrix.gemm(x, false, wx, false, gates, 0f); // [T·B, N]·[N, G]
        for (Slice s : slices) s.takeBias(bias);
        forwardWeights.use(wh, false);
        runSteps(slices.length, forwardWeights, false, (j, t) -> slices[j].forward(t));
    }

    /**
     * dh → dx and the parameter gradients, after a {@link #forward} on the same input and weights.
     * dwx [N, G], dwh [H, G], db [1, G] are overwritten.
     */
    void backward(RowMatrix wx, RowMatrix wh, RowMatrix dwx, RowMatrix dwh, RowMatrix db) {
        backwardWeights.use(wh, true);
        runSteps(slices.length, backwardWeights, true, (j, t) -> slices[j].backward(t));
        for (Slice s : slices) s.putBiasGradient(biasGrad);
        db.write(biasGrad);
        int rows = steps * batch;
        RowMatrix.gemm(x, true, gates, false, dwx, 0f);  // [N, T·B]·[T·B, G]
        if (steps > 1) {
            // h_{t−1}ᵀ·δ_t summed over t ≥ 1 (h₋₁ = 0 at t = 0): [H, (T−1)·B]·[(T−1)·B, G]
            RowMatrix.gemm(h.rows(0, rows - batch), true, recurrentDeltas.rows(batch, rows - batch), false, dwh, 0f);
        } else {
            dwh.array().assign(0);
        }
        RowMatrix.gemm(gates, false, wx, true, dx, 0f);  // [T·B, G]·[G, N]
    }

    /**
     * Units [from, from + n) at every step: their columns of each gate block (three products with Wh's columns
     * of those units) and all their arithmetic, in buffers of their own. At a step the slices need only each
     * other's h (forward) or deltas (backward) of the step before, so they run side by side on the workers with
     * one hand-off per step, and the gate arithmetic runs on both cores.
     */
    private final class Slice {
        private final int from;
        private final int n;
        private final float[] z;            // [B·3n] one step's gates: per example the blocks r, u, c of n each
        private final float[] rec;          // [B·3n] one step's h₋₁·Wh (forward) or its deltas (backward), laid out as z
        private final float[] bias;         // [3n]
        private final float[] candidateProducts; // [T·B·n] h₋₁·Whc, which the reset gate scales
        private final float[] state;        // [B·n] h (forward: h₋₁ until replaced) or dL/dh (backward) of one step
        private final float[] prevState;    // [B·n] h₋₁ (backward)
        private final float[] grad;         // [B·n] δ_{t+1}·Whᵀ
        private final float[] stateCarry;   // [B·n] dL/dh₋₁ through u⊙h₋₁, from step t+1
        private final float[] biasGrad;     // [3n]

        Slice(int from, int to) {
            this.from = from;
            this.n = to - from;
            z = new float[batch * 3 * n];
            rec = new float[batch * 3 * n];
            bias = new float[3 * n];
            candidateProducts = new float[steps * batch * n];
            state = new float[batch * n];
            prevState = new float[batch * n];
            grad = new float[batch * n];
            stateCarry = new float[batch * n];
            biasGrad = new float[3 * n];
        }

        /** Gate block k's columns of these units in a [rows, G] matrix. */
        private RowMatrix block(RowMatrix m, int k) {
            return m.columns(k * units + from, n);
        }

        void takeBias(float[] all) {
            for (int k = 0; k < 3; k++) System.arraycopy(all, k * units + from, bias, k * n, n);
        }

        /** Step t: h₋₁·Wh (these units' columns), then the cell; writes the activations and h. */
        void forward(int t) {
            if (t == 0) {
                Arrays.fill(state, 0f); // h₋₁ = 0, and h₋₁·Wh = 0
                Arrays.fill(rec, 0f);
            } else {
                // Gate blocks r, u, c of these units: [B, H]·[H, n], three times.
                forwardWeights.multiply(h.rows((t - 1) * batch, batch), recurrent, from, n, 3, units, 0f);
                for (int k = 0; k < 3; k++) block(recurrent, k).read(rec, k * n, 3 * n);
            }
            RowMatrix stepGates = gates.rows(t * batch, batch);
            for (int k = 0; k < 3; k++) block(stepGates, k).read(z, k * n, 3 * n);
            for (int b = 0; b < batch; b++) cellForward(b * 3 * n, (t * batch + b) * n, b * n);
            for (int k = 0; k < 3; k++) block(stepGates, k).write(z, k * n, 3 * n);
            h.rows(t * batch, batch).columns(from, n).write(state, 0, n);
        }

        /** One example: its gates at z[g, g + 3n) and rec, its h₋₁·Whc into candidateProducts[product], its h₋₁ at state[out], replaced by h. */
        private void cellForward(int g, int product, int out) {
            int r = g;
            int u = g + n;
            int c = g + 2 * n;
            for (int j = 0; j < 2 * n; j++) z[g + j] = sigmoid(z[g + j] + rec[g + j] + bias[j]); // r, u
            System.arraycopy(rec, c, candidateProducts, product, n);
            for (int j = 0; j < n; j++) z[c + j] = tanh(z[c + j] + bias[2 * n + j] + z[r + j] * rec[c + j]);
            for (int j = 0; j < n; j++) {
                float cj = z[c + j];
                state[out + j] = cj + z[u + j] * (state[out + j] - cj); // u⊙h₋₁ + (1−u)⊙c
            }
        }

        /**
         * Step t backwards: first these units' part of δ_{t+1}·Whᵀ (all of step t+1's recurrent deltas, written
         * by every slice at the step before), then the cell: the activations of step t become the input deltas,
         * and the recurrent deltas are written.
         */
        void backward(int t) {
            if (t == steps - 1) {
                Arrays.fill(grad, 0f);
                Arrays.fill(stateCarry, 0f);
                Arrays.fill(biasGrad, 0f);
            } else {
                backwardWeights.multiply(recurrentDeltas.rows((t + 1) * batch, batch), recurrentGrad, from, n, 0f); // [B, G]·[G, n]
                recurrentGrad.columns(from, n).read(grad, 0, n);
            }
            RowMatrix stepGates = gates.rows(t * batch, batch);
            for (int k = 0; k < 3; k++) block(stepGates, k).read(z, k * n, 3 * n);
            dh.rows(t * batch, batch).columns(from, n).read(state, 0, n);
            if (t > 0) {
                h.rows((t - 1) * batch, batch).columns(from, n).read(prevState, 0, n);
            } else {
                Arrays.fill(prevState, 0f);
            }
            for (int b = 0; b < batch; b++) cellBackward(b * 3 * n, (t * batch + b) * n, b * n);
            RowMatrix stepDeltas = recurrentDeltas.rows(t * batch, batch);
            for (int k = 0; k < 3; k++) {
                block(stepGates, k).write(z, k * n, 3 * n);
                block(stepDeltas, k).write(rec, k * n, 3 * n);
            }
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < 3 * n; j++) biasGrad[j] += z[b * 3 * n + j];
            }
        }

        /**
         * One example. Its gates (activations) at z[g, g + 3n) are replaced by the input deltas dL/dz
         * (z = x·Wx + b + the recurrent terms), its rec columns by the recurrent deltas, which differ from them
         * in the candidate block only: dL/d(h₋₁·Whc) = r⊙dL/dzc. The gradient reaching h is state (from
         * above) + grad and stateCarry (from step t+1); stateCarry is replaced by this step's u⊙dL/dh.
         */
        private void cellBackward(int g, int product, int out) {
            int r = g;
            int u = g + n;
            int c = g + 2 * n;
            for (int j = 0; j < n; j++) {
                state[out + j] += grad[out + j] + stateCarry[out + j];                     // dL/dh_t
            }
            for (int j = 0; j < n; j++) {
                float d = state[out + j];
                float uj = z[u + j];
                float cj = z[c + j];
                float rj = z[r + j];
                float dc = d * (1 - uj) * (1 - cj * cj);                                   // dL/dzc
                float dr = dc * candidateProducts[product + j] * rj * (1 - rj);            // dL/dzr
                z[u + j] = d * (prevState[out + j] - cj) * uj * (1 - uj);                  // dL/dzu
                z[c + j] = dc;
                z[r + j] = dr;
                rec[c + j] = dc * rj;
                stateCarry[out + j] = d * uj;
            }
            System.arraycopy(z, g, rec, g, 2 * n);
        }

        /** These units' column sums of the input deltas, into the layer's [G] bias gradient. */
        void putBiasGradient(float[] all) {
            for (int k = 0; k < 3; k++) System.arraycopy(biasGrad, k * n, all, k * units + from, n);
        }
    }

    @Override
    void close() {
        super.close();
        gates.close();
        recurrentDeltas.close();
        recurrent.close();
        recurrentGrad.close();
        forwardWeights.close();
        backwardWeights.close();
    }
}
