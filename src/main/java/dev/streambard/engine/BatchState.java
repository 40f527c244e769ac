package dev.streambard.engine;

import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The recurrent state of B sessions stepped together, one row per session, plus the step's scratch
 * buffers, all preallocated: a step allocates nothing. Owned by one thread at a time; the engine that
 * steps it holds no state of its own.
 */
public final class BatchState {
    final int size;
    final int units;
    final CellType cell;
    final INDArray[] h;       // per layer [B, H]
    final INDArray[] c;       // per layer [B, H], LSTM only
    final INDArray gates;     // [B, G*H]
    final INDArray gruRecurrent; // [B, 2H], GRU only: h·Wh for the reset and update gates
    final INDArray tmp;       // [B, H]
    final INDArray tmp2;      // [B, H]
    final INDArray logits;    // [B, V]
    // Column views of gates. LSTM (DL4J's order): block input a, forget f, output o, input gate i;
    // sigmoidBlock = f|o|i. GRU: reset r, update u, candidate; sigmoidBlock = r|u.
    final INDArray gate0;
    final INDArray gate1;
    final INDArray gate2;
    final INDArray gate3;
    final INDArray sigmoidBlock;

    BatchState(ModelConfig config, int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        this.size = size;
        this.units = config.units();
        this.cell = config.cell();
        int layers = config.layers();
        long hu = units;
        h = new INDArray[layers];
        c = new INDArray[cell == CellType.LSTM ? layers : 0];
        for (int l = 0; l < layers; l++) h[l] = ModelWeights.zeros(size, hu);
        for (int l = 0; l < c.length; l++) c[l] = ModelWeights.zeros(size, hu);
        gates = ModelWeights.zeros(size, cell.gates * hu);
        gruRecurrent = cell == CellType.GRU ? ModelWeights.zeros(size, 2 * hu) : null;
        tmp = ModelWeights.zeros(size, hu);
        tmp2 = ModelWeights.zeros(size, hu);
        logits = ModelWeights.zeros(size, config.vocabSize());
        gate0 = block(0, 1);
        gate1 = block(1, 2);
        gate2 = block(2, 3);
        gate3 = cell == CellType.LSTM ? block(3, 4) : null;
        sigmoidBlock = cell == CellType.LSTM ? block(1, 4) : block(0, 2);
    }

    private INDArray block(int from, int to) {
        return gates.get(NDArrayIndex.all(), NDArrayIndex.interval((long) from * units, (long) to * units));
    }

    public int size() {
        return size;
    }

    /** Sets row {@code row} to a session's state. */
    public void load(int row, RecurrentState state) {
        checkRow(row);
        if (state.layers() != h.length || state.c().length != c.length) {
            throw new IllegalArgumentException("state has " + state.layers() + " layers, the model " + h.length);
        }
        for (int l = 0; l < h.length; l++) h[l].getRow(row).assign(Nd4j.create(state.h()[l]));
        for (int l = 0; l < c.length; l++) c[l].getRow(row).assign(Nd4j.create(state.c()[l]));
    }

    /** A copy of row {@code row}'s state. */
    public RecurrentState snapshot(int row) {
        checkRow(row);
        float[][] hs = new float[h.length][];
        float[][] cs = new float[c.length][];
        for (int l = 0; l < h.length; l++) hs[l] = h[l].getRow(row).toFloatVector();
        for (int l = 0; l < c.length; l++) cs[l] = c[l].getRow(row).toFloatVector();
        return new RecurrentState(hs, cs);
    }

    /** Zeroes row {@code row}: a session that starts afresh. */
    public void reset(int row) {
        checkRow(row);
        for (INDArray a : h) a.getRow(row).assign(0);
        for (INDArray a : c) a.getRow(row).assign(0);
    }

    /** The last step's logits, [B, V] row-major; a fresh array. */
    public float[] logits() {
        return logits.data().asFloat();
    }

    private void checkRow(int row) {
        if (row < 0 || row >= size) throw new IndexOutOfBoundsException("row " + row + " of a batch of " + size);
    }
}
