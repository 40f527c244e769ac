package dev.streambard.engine;

import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;
import org.bytedeco.javacpp.IntPointer;

/**
 * The recurrent state of B sessions stepped together, plus every buffer a step needs, preallocated:
 * a step allocates nothing. Matrices are [B, features], row-major: session b is row b. Matrix products
 * run in native memory (the *Native matrices). An LSTM batch on the native cell ({@link LstmCellKernel})
 * keeps h and c there only, and the cell works on the product's output in place; otherwise (GRU, or a CPU
 * without the kernel) the gate arithmetic runs on heap copies. Owned by one thread at a time; the engine
 * that steps it holds no state of its own.
 */
public final class BatchState {
    final int size;
    final int units;
    final int vocab;
    final CellType cell;
    final float[][] h;                  // per layer [B, H]
    final float[][] c;                  // per layer [B, H], LSTM only
    final NativeMatrix[] hNative;       // per layer, the same h for the products
    final NativeMatrix inputNative;     // x·Wx [B, G*H] (heap cells only; the native cell's products add into recurrentNative)
    final NativeMatrix recurrentNative; // h·Wh [B, G*H]
    final NativeMatrix logitsNative;    // [B, V]
    final float[] input;                // heap copy of inputNative
    final float[] recurrent;            // heap copy of recurrentNative
    final float[] logits;               // heap copy of logitsNative, plus the output bias
    final float[] tanhCells;            // [B, H] tanh(c) of the layer being stepped (LSTM only)
    /** The LSTM runs on the native cell: h lives in hNative, c in cNative, and the heap arrays above are empty. */
    final boolean nativeCell;
    /** Per layer two [B, H] buffers for c (native cell only): a step reads c₋₁ from one and writes c to the other. */
    final NativeMatrix[][] cNative;
    /** Which of the two cNative buffers holds c now. */
    int cCurrent;
    /** [B] layer 0's inputs for the native cell: the rows of the first-layer table it adds. */
    final IntPointer inputChars;

    BatchState(ModelConfig config, int size) {
        this(config, size, config.cell() == CellType.LSTM && LstmCellKernel.available());
    }

    /** @param nativeCell run an LSTM on the native cell (tests compare it with the heap version) */
    BatchState(ModelConfig config, int size, boolean nativeCell) {
        if (size < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        if (nativeCell && (config.cell() != CellType.LSTM || !LstmCellKernel.available())) {
            throw new IllegalArgumentException("the native cell runs LSTMs on CPUs with AVX2 and FMA only");
        }
        this.size = size;
        this.units = config.units();
        this.vocab = config.vocabSize();
        this.cell = config.cell();
        this.nativeCell = nativeCell;
        int layers = config.layers();
        int gateWidth = cell.gates * units;
        int heap = nativeCell ? 0 : size; // rows of the heap copies
        h = new float[layers][heap * units];
        c = new float[cell == CellType.LSTM ? layers : 0][heap * units];
        hNative = new NativeMatrix[layers];
        for (int l = 0; l < layers; l++) hNative[l] = NativeMatrix.zeros(size, units);
        cNative = new NativeMatrix[nativeCell ? layers : 0][];
        for (int l = 0; l < cNative.length; l++) cNative[l] = new NativeMatrix[]{NativeMatrix.zeros(size, units), NativeMatrix.zeros(size, units)};
        inputChars = nativeCell ? new IntPointer(size) : null;
        inputNative = nativeCell ? null : NativeMatrix.zeros(size, gateWidth);
        recurrentNative = NativeMatrix.zeros(size, gateWidth);
        logitsNative = NativeMatrix.zeros(size, vocab);
        input = new float[heap * gateWidth];
        recurrent = new float[heap * gateWidth];
        logits = new float[size * vocab];
        tanhCells = new float[cell == CellType.LSTM ? heap * units : 0];
    }

    public int size() {
        return size;
    }

    /** Sets session {@code row} to a given state. */
    public void load(int row, RecurrentState state) {
        checkRow(row);
        if (state.layers() != h.length || state.c().length != c.length) {
            throw new IllegalArgumentException("state has " + state.layers() + " layers, the model " + h.length);
        }
        for (int l = 0; l < h.length; l++) {
            checkUnits(state.h()[l]);
            if (nativeCell) {
                hNative[l].putRow(row, state.h()[l]);
                continue;
            }
            copyIn(state.h()[l], h[l], row);
            hNative[l].writeRow(row, h[l]); // the row only: loading a whole batch stays O(B), not O(B²)
        }
        for (int l = 0; l < c.length; l++) {
            checkUnits(state.c()[l]);
            if (nativeCell) cNative[l][cCurrent].putRow(row, state.c()[l]);
            else copyIn(state.c()[l], c[l], row);
        }
    }

    /** A copy of session {@code row}'s state. */
    public RecurrentState snapshot(int row) {
        checkRow(row);
        float[][] hs = new float[h.length][];
        float[][] cs = new float[c.length][];
        for (int l = 0; l < h.length; l++) {
            hs[l] = nativeCell ? hNative[l].getRow(row) : java.util.Arrays.copyOfRange(h[l], row * units, (row + 1) * units);
        }
        for (int l = 0; l < c.length; l++) {
            cs[l] = nativeCell ? cNative[l][cCurrent].getRow(row) : java.util.Arrays.copyOfRange(c[l], row * units, (row + 1) * units);
        }
        return new RecurrentState(hs, cs);
    }

    /** Zeroes session {@code row}'s state: it starts afresh. */
    public void reset(int row) {
        load(row, RecurrentState.zeros(h.length, units, c.length > 0));
    }

    /** The last step's logits as [B, V] row-major (session b's start at b*V); a fresh array. */
    public float[] logits() {
        return logits.clone();
    }

    private void copyIn(float[] vector, float[] matrix, int row) {
        System.arraycopy(vector, 0, matrix, row * units, units);
    }

    private void checkUnits(float[] vector) {
        if (vector.length != units) {
            throw new IllegalArgumentException("state vectors have " + vector.length + " units, the model " + units);
        }
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size) throw new IndexOutOfBoundsException("row " + row + " of a batch of " + size);
    }
}
