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
 * The gate arithmetic runs on the heap in simple loops, which the JIT vectorises.
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
    /** [B, H] δ·Whᵀ, the gradient reaching h₋₁ through the recurrent weights. */
    private final RowMatrix recurrentGrad;

    private final float[] candidateProducts; // [T·B·H] h₋₁·Whc, which the reset gate scales
    private final float[] gateRows;       // [B·G] one step's gates
    private final float[] recurrentRows;  // [B·G] one step's h₋₁·Wh (forward) or its deltas (backward)
    private final float[] stateRows;      // [B·H] h (forward) or dL/dh (backward) of one step
    private final float[] prevRows;       // [B·H] h₋₁ (backward)
    private final float[] gradRows;       // [B·H] δ·Whᵀ of step t+1
    private final float[] stateCarry;     // [B·H] dL/dh₋₁ through u⊙h₋₁, from step t+1
    private final float[] biasGrad;       // [G] column sums of the input deltas

    GruSequence(int steps, int batch, int inputs, int units) {
        super(steps, batch, inputs, units);
        this.width = 3 * units;
        int rows = steps * batch;
        gates = RowMatrix.allocate(rows, width);
        recurrentDeltas = RowMatrix.allocate(rows, width);
        recurrent = RowMatrix.allocate(batch, width);
        recurrentGrad = RowMatrix.allocate(batch, units);
        candidateProducts = new float[rows * units];
        gateRows = new float[batch * width];
        recurrentRows = new float[batch * width];
        stateRows = new float[batch * units];
        prevRows = new float[batch * units];
        gradRows = new float[batch * units];
        stateCarry = new float[batch * units];
        biasGrad = new float[width];
    }

    /** x → h, keeping what {@link #backward} needs. wx [N, G], wh [H, G], bias [G]. */
    void forward(RowMatrix wx, RowMatrix wh, float[] bias) {
        RowMatrix.gemm(x, false, wx, false, gates, 0f); // [T·B, N]·[N, G]
        Arrays.fill(stateRows, 0f);                     // h₋₁ = 0, and h₋₁·Wh = 0 at t = 0
        Arrays.fill(recurrentRows, 0f);
        int stateSize = batch * units;
        for (int t = 0; t < steps; t++) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            if (t > 0) {
                RowMatrix.gemm(h.rows((t - 1) * batch, batch), false, wh, false, recurrent, 0f); // [B, H]·[H, G]
                recurrent.read(recurrentRows);
            }
            stepGates.read(gateRows);
            for (int b = 0; b < batch; b++) cellForward(b * width, t * stateSize + b * units, b * units, bias);
            stepGates.write(gateRows);
            h.rows(t * batch, batch).write(stateRows);
        }
    }

    /**
     * One example at one step. g: its gate columns in gateRows and recurrentRows; product: its h₋₁·Whc in
     * candidateProducts; state: its h₋₁ in stateRows, replaced by h.
     */
    private void cellForward(int g, int product, int state, float[] bias) {
        int hu = units;
        float[] z = gateRows;
        int r = g;
        int u = g + hu;
        int c = g + 2 * hu;
        for (int j = 0; j < 2 * hu; j++) z[g + j] = sigmoid(z[g + j] + recurrentRows[g + j] + bias[j]); // r, u
        System.arraycopy(recurrentRows, c, candidateProducts, product, hu);
        for (int j = 0; j < hu; j++) z[c + j] = tanh(z[c + j] + bias[2 * hu + j] + z[r + j] * recurrentRows[c + j]);
        for (int j = 0; j < hu; j++) {
            float cj = z[c + j];
            stateRows[state + j] = cj + z[u + j] * (stateRows[state + j] - cj); // u⊙h₋₁ + (1−u)⊙c
        }
    }

    /**
     * dh → dx and the parameter gradients, after a {@link #forward} on the same input and weights.
     * dwx [N, G], dwh [H, G], db [1, G] are overwritten.
     */
    void backward(RowMatrix wx, RowMatrix wh, RowMatrix dwx, RowMatrix dwh, RowMatrix db) {
        Arrays.fill(gradRows, 0f);
        Arrays.fill(stateCarry, 0f);
        Arrays.fill(biasGrad, 0f);
        int stateSize = batch * units;
        for (int t = steps - 1; t >= 0; t--) {
            RowMatrix stepGates = gates.rows(t * batch, batch);
            stepGates.read(gateRows);
            dh.rows(t * batch, batch).read(stateRows);
            if (t > 0) {
                h.rows((t - 1) * batch, batch).read(prevRows);
            } else {
                Arrays.fill(prevRows, 0f);
            }
            for (int b = 0; b < batch; b++) cellBackward(b * width, t * stateSize + b * units, b * units);
            stepGates.write(gateRows);
            RowMatrix stepDeltas = recurrentDeltas.rows(t * batch, batch);
            stepDeltas.write(recurrentRows);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < width; j++) biasGrad[j] += gateRows[b * width + j];
            }
            if (t > 0) {
                RowMatrix.gemm(stepDeltas, false, wh, true, recurrentGrad, 0f); // [B, G]·[G, H]
                recurrentGrad.read(gradRows);
            }
        }
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
     * One example at one step. Its gates (activations) in gateRows are replaced by the input deltas
     * dL/dz (z = x·Wx + b + the recurrent terms), its recurrentRows columns by the recurrent deltas, which
     * differ from them in the candidate block only: dL/d(h₋₁·Whc) = r⊙dL/dzc. The gradient reaching h is
     * stateRows (from above) + gradRows and stateCarry (from step t+1); stateCarry is replaced by this
     * step's u⊙dL/dh.
     */
    private void cellBackward(int g, int product, int state) {
        int hu = units;
        float[] z = gateRows;
        int r = g;
        int u = g + hu;
        int c = g + 2 * hu;
        for (int j = 0; j < hu; j++) {
            stateRows[state + j] += gradRows[state + j] + stateCarry[state + j];      // dL/dh_t
        }
        for (int j = 0; j < hu; j++) {
            float d = stateRows[state + j];
            float uj = z[u + j];
            float cj = z[c + j];
            float rj = z[r + j];
            float dc = d * (1 - uj) * (1 - cj * cj);                                   // dL/dzc
            float dr = dc * candidateProducts[product + j] * rj * (1 - rj);            // dL/dzr
            z[u + j] = d * (prevRows[state + j] - cj) * uj * (1 - uj);                 // dL/dzu
            z[c + j] = dc;
            z[r + j] = dr;
            recurrentRows[c + j] = dc * rj;
            stateCarry[state + j] = d * uj;
        }
        System.arraycopy(z, g, recurrentRows, g, 2 * hu);
    }

    @Override
    void close() {
        super.close();
        gates.close();
        recurrentDeltas.close();
        recurrent.close();
        recurrentGrad.close();
    }
}
