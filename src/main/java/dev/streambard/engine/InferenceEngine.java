package dev.streambard.engine;

import static dev.streambard.engine.Activations.sigmoid;
import static dev.streambard.engine.Activations.tanh;

import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;

/**
 * Advances B sessions by one character per call: immutable weights in, explicit state in and out.
 * Thread-safe: all mutable data lives in the caller's {@link BatchState}.
 *
 * <p>Per layer and step, the two matrix products x·Wx and h·Wh ([B, G*H]) run in OpenBLAS (for layer
 * 0, x·Wx + b is a row of a table precomputed from the embedding); the gate arithmetic is one fused
 * pass on the heap, or, for an LSTM where the CPU runs it, the native cell ({@link LstmCellKernel}) on the product's
 * output in place, adding the table's row itself. LSTM (DL4J's gate order a, f, o, i): c = σ(f)⊙c + σ(i)⊙tanh(a), h = σ(o)⊙tanh(c).
 * GRU (ND4J's gru op, reset applied after the product): r, u = σ(x·Wx + h·Wh + b),
 * cand = tanh(x·Wxc + bc + r⊙(h·Whc)), h = u⊙h + (1−u)⊙cand.
 */
public final class InferenceEngine {
    /** Batches from this size up run the gate arithmetic on the engine's workers (below it the hand-off costs more). */
    private static final int PARALLEL_ROWS = 16;
    /** Sessions per block of gate arithmetic: 8 blocks at batch 64, ~0.1 ms each. */
    private static final int BLOCK_ROWS = 8;
    private final ModelWeights weights;

    public InferenceEngine(ModelWeights weights) {
        this.weights = weights;
    }

    /**
     * Process-wide, for processes that generate rather than train: true runs OpenBLAS on one thread and
     * splits each large matrix product into column blocks that this thread and the engine's helper take as
     * they become free (see {@link Blas}); false gives the products back to OpenBLAS's own threads. On a
     * core shared with other work (Kafka's threads in the service) a late thread then slows only its own
     * blocks, where OpenBLAS's static split waits for its slower half. Results are the same either way.
     */
    public static void splitProducts(boolean on) {
        Blas.splitProducts(on);
    }

    public ModelWeights weights() {
        return weights;
    }

    public ModelConfig config() {
        return weights.config();
    }

    /** A batch of {@code size} sessions, all starting from zero state. */
    public BatchState newBatch(int size) {
        return new BatchState(weights.config(), size);
    }

    /**
     * Feeds {@code chars[b]} to session b for every b, updating the state in place; the logits for the
     * next character are then in {@link BatchState#logits()}.
     */
    public void step(BatchState s, int[] chars) {
        step(s, chars, null);
    }

    /**
     * As {@link #step(BatchState, int[])}, and runs {@code meanwhile} on the calling thread while the engine's
     * helper starts on the step's first large product (before the step, where products are not split). The
     * service emits the previous step's characters there, so that work no longer leaves a core idle.
     * Not run when the inputs are rejected.
     */
    public void step(BatchState s, int[] chars, Runnable meanwhile) {
        if (chars.length != s.size) {
            throw new IllegalArgumentException(chars.length + " inputs for a batch of " + s.size);
        }
        for (int ch : chars) {
            if (ch < 0 || ch >= s.vocab) {
                throw new IllegalArgumentException("character index " + ch + " outside 0.." + (s.vocab - 1));
            }
        }
        if (s.nativeCell) {
            nativeLstmLayers(s, chars, meanwhile);
        } else {
            heapLayers(s, chars, meanwhile);
        }
        Blas.gemm(s.hNative[s.h.length - 1], weights.outputWeights(), s.logitsNative, 0f);
        s.logitsNative.read(s.logits);
        for (int b = 0, i = 0; b < s.size; b++) {
            for (int v = 0; v < s.vocab; v++, i++) s.logits[i] += weights.outputBias(v);
        }
    }

    /**
     * Each layer's gates z [B, 4H] come from the products (layer 0: h·Wh, the cell adding table row chars[b]; above:
     * x·Wx + h·Wh, the cell adding the bias); the cell then writes c to the other c buffer and h over hNative, which
     * the products of this layer have finished reading. No copies between native memory and the heap (at batch 64,
     * one layer, the heap version copies ~2.3 MB a step: the gathered table rows, the product's output and h).
     */
    private void nativeLstmLayers(BatchState s, int[] chars, Runnable meanwhile) {
        s.inputChars.put(chars);
        int hu = s.units;
        int gateWidth = 4 * hu;
        NativeMatrix z = s.recurrentNative;
        for (int l = 0; l < s.h.length; l++) {
            LayerWeights w = weights.layer(l);
            if (l == 0) {
                Blas.gemm(s.hNative[0], w.recurrent(), z, 0f, meanwhile);
            } else {
                Blas.gemm(s.hNative[l - 1], w.input(), z, 0f);
                Blas.gemm(s.hNative[l], w.recurrent(), z, 1f);
            }
            NativeMatrix inputs = l == 0 ? weights.firstLayerTable() : w.biasRow();
            long rows = l == 0 ? s.inputChars.address() : 0;
            NativeMatrix prev = s.cNative[l][s.cCurrent];
            NativeMatrix next = s.cNative[l][1 - s.cCurrent];
            NativeMatrix h = s.hNative[l];
            forRows(s.size, (from, to) -> LstmCellKernel.forward(z.address(from), gateWidth, hu, hu, to - from,
                    inputs.address(0), rows == 0 ? 0 : rows + (long) from * Integer.BYTES,
                    prev.address(from), next.address(from), h.address(from), hu));
        }
        s.cCurrent = 1 - s.cCurrent;
    }

    private void heapLayers(BatchState s, int[] chars, Runnable meanwhile) {
        for (int l = 0; l < s.h.length; l++) {
            LayerWeights w = weights.layer(l);
            if (l == 0) {
                gatherFirstLayerInput(s, chars);
            } else {
                Blas.gemm(s.hNative[l - 1], w.input(), s.inputNative, 0f);
                s.inputNative.read(s.input);
            }
            Blas.gemm(s.hNative[l], w.recurrent(), s.recurrentNative, 0f, l == 0 ? meanwhile : null);
            s.recurrentNative.read(s.recurrent);
            int layer = l;
            Rows cell = s.cell == CellType.LSTM
                    ? (from, to) -> lstmCell(s, layer, w.bias(), from, to)
                    : (from, to) -> gruCell(s, layer, w.bias(), from, to);
            forRows(s.size, cell);
            s.hNative[l].write(s.h[l]);
        }
    }

    /** input[b] = table[chars[b]]: layer 0's input projection with its bias. */
    private void gatherFirstLayerInput(BatchState s, int[] chars) {
        int width = s.cell.gates * s.units;
        for (int b = 0; b < s.size; b++) System.arraycopy(weights.firstLayerRow(chars[b]), 0, s.input, b * width, width);
    }

    // The cells run as a few simple loops rather than one fused loop: the JIT vectorises simple loops
    // (measured 1.3 ns per activation against 9 ns in the fused loop).

    /** Work on sessions [from, to). */
    private interface Rows {
        void run(int from, int to);
    }

    /** Splits a large batch's rows into blocks for the engine's workers (the caller and a helper); small ones stay on the caller. */
    private static void forRows(int size, Rows work) {
        if (size < PARALLEL_ROWS) {
            work.run(0, size);
            return;
        }
        int blocks = (size + BLOCK_ROWS - 1) / BLOCK_ROWS;
        Workers.forBlocks(blocks, j -> work.run(j * BLOCK_ROWS, Math.min(size, (j + 1) * BLOCK_ROWS)));
    }

    private static void lstmCell(BatchState s, int l, float[] bias, int from, int to) {
        int hu = s.units;
        int width = 4 * hu;
        float[] g = s.input;
        float[] c = s.c[l];
        float[] h = s.h[l];
        float[] tanhC = s.tanhCells;
        for (int b = from; b < to; b++) {
            int a = b * width;
            int f = a + hu;
            int o = a + 2 * hu;
            int i = a + 3 * hu;
            int out = b * hu;
            addRow(g, s.recurrent, bias, a, width);
            tanhInPlace(g, a, hu);                // a
            sigmoidInPlace(g, f, 3 * hu);         // f, o, i
            for (int j = 0; j < hu; j++) c[out + j] = g[f + j] * c[out + j] + g[i + j] * g[a + j];
            // tanh(c) in a loop of its own: inside the product below it ran at ~7 ns an element, unvectorised
            // (the cell at batch 64: 1.0-1.2 ms on one thread before, 0.6-0.8 ms after)
            for (int j = out; j < out + hu; j++) tanhC[j] = Activations.tanh(c[j]);
            for (int j = 0; j < hu; j++) h[out + j] = g[o + j] * tanhC[out + j];
        }
    }

    private static void gruCell(BatchState s, int l, float[] bias, int from, int to) {
        int hu = s.units;
        int width = 3 * hu;
        float[] g = s.input;
        float[] rec = s.recurrent;
        float[] h = s.h[l];
        for (int b = from; b < to; b++) {
            int r = b * width;
            int u = r + hu;
            int k = r + 2 * hu;
            int out = b * hu;
            addRow(g, rec, bias, r, 2 * hu);     // the reset and update gates take the whole recurrent product
            sigmoidInPlace(g, r, 2 * hu);        // r, u
            for (int j = 0; j < hu; j++) g[k + j] += bias[2 * hu + j] + g[r + j] * rec[k + j];
            tanhInPlace(g, k, hu);               // candidate
            for (int j = 0; j < hu; j++) h[out + j] = g[k + j] + g[u + j] * (h[out + j] - g[k + j]);
        }
    }

    /** g[from..from+n) += rec[from..from+n) + bias[0..n). */
    private static void addRow(float[] g, float[] rec, float[] bias, int from, int n) {
        for (int j = 0; j < n; j++) g[from + j] += rec[from + j] + bias[j];
    }

    private static void tanhInPlace(float[] x, int from, int n) {
        for (int j = from; j < from + n; j++) x[j] = tanh(x[j]);
    }

    private static void sigmoidInPlace(float[] x, int from, int n) {
        for (int j = from; j < from + n; j++) x[j] = sigmoid(x[j]);
    }
}
