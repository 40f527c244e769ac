package dev.streambard.model;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's LSTM layer with the training passes ({@link #activate}, {@link #backpropGradient}) computed by
 * {@link LstmSequence}: same parameters, same layout, same results (within float rounding), and the
 * forward pass is kept for backprop instead of being run again as DL4J's layer does.
 *
 * <p>Arrays: input [B, N, T] (NCW), output [B, H, T]; parameters as DL4J's {@link LSTMParamInitializer}
 * lays them out: W [N, 4H], RW [H, 4H], b [1, 4H]. Each sequence starts from zero state. The products read
 * the parameters and write the gradients in place, in DL4J's own arrays (no copies).
 *
 * <p>When the layer reads a {@link FastEmbeddingLayer}'s output ({@link #readsEmbeddingOf}), it works on the
 * embedding table's V rows rather than on B·T copies of them: the input projection, dW and the embedding's
 * gradient cost three products of V rows instead of B·T (at the tutorial shape, 65 against 6,400).
 *
 * <p>Everything else is the stock layer's: float networks only (others, masks, weight noise, truncated BPTT
 * and {@code rnnTimeStep} run DL4J's code).
 */
public class FastLstmLayer extends LSTM {
    private LstmSequence sequence;  // buffers for the last batch shape
    private INDArray forwardInput;  // the input that sequence holds a training forward pass of, else null
    private final int inputs;   // N
    private final int units;    // H
    private final float[] bias; // [4H], read once per forward pass
    // When the input is an embedding's output: that layer, and for the current pass the time-major table
    // row of each input row (null otherwise), the table E [V, N], E·W [V, G], S [V, G] and dE [V, N].
    private FastEmbeddingLayer embedding;
    private boolean nextLayerDropsOut = true;
    private int[] tableRows;
    private RowMatrix table;
    private RowMatrix projection;
    private RowMatrix tableDeltas;
    private RowMatrix tableGradient;

    public FastLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.LSTM c = (org.deeplearning4j.nn.conf.layers.LSTM) conf.getLayer();
        inputs = (int) c.getNIn();
        units = (int) c.getNOut();
        bias = new float[4 * units];
    }

    /**
     * Reads its input as rows of {@code layer}'s table when it is that layer's output: the input projection
     * and its gradients then cost products over the V table rows instead of the B·T input rows.
     */
    void readsEmbeddingOf(FastEmbeddingLayer layer) {
        this.embedding = layer;
    }

    /**
     * Whether the layer this one feeds applies dropout to its input (the safe default: yes). If not, the
     * output is laid out for the next layer's reshapes rather than for DL4J's dropout masks.
     */
    void nextLayerDropsOut(boolean dropsOut) {
        this.nextLayerDropsOut = dropsOut;
    }

    /** Whether the last forward pass read its input as embedding table rows. */
    boolean readTableRows() {
        return tableRows != null;
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!handles()) return super.activate(training, workspaceMgr);
        LstmSequence s = forward(training, workspaceMgr);
        if (!nextLayerDropsOut) {
            // Memory [H][T][B]: RnnOutputLayer's reshape to [B·T, H] rows is then a view, not a copy (~6% of a step).
            return permuteIfNWC(LayerArrays.fromTimeMajor(s.h, s.batch, s.steps, dataType, ArrayType.ACTIVATIONS, workspaceMgr));
        }
        // The stock layer's layout, f-order [B, H, T], memory [T][H][B]: the next layer's dropout draws its
        // mask in memory order, so this layout keeps dropout identical to DL4J's for the same random seed.
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType, new long[]{s.batch, s.units, s.steps}, 'f');
        out.assign(s.h.array().reshape(s.steps, s.batch, s.units).permute(1, 2, 0)); // [T, B, H] → [B, H, T]
        return permuteIfNWC(out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!handles()) return super.backpropGradient(epsilon, workspaceMgr);
        assertInputSet(true);
        // The network runs a training forward pass just before; anything else gets one now.
        LstmSequence s = forwardInput == input ? sequence : forward(true, workspaceMgr);
        LayerArrays.toTimeMajor(permuteIfNWC(epsilon), s.dh);
        // The gradients go straight into the layer's gradient views (the updater reads the network's
        // flattened gradient array), laid out as the parameters: see transposed(...).
        RowMatrix dwT = transposed(gradientViews, LSTMParamInitializer.INPUT_WEIGHT_KEY);
        RowMatrix drwT = transposed(gradientViews, LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        RowMatrix db = transposed(gradientViews, LSTMParamInitializer.BIAS_KEY);
        boolean fromTable = tableRows != null;
        if (fromTable) {
            s.backwardToTable(table, weightsT(), recurrentWeightsT(), dwT, drwT, db, tableDeltas, tableGradient);
        } else {
            s.backward(weightsT(), recurrentWeightsT(), dwT, drwT, db);
        }

        Gradient gradient = new DefaultGradient();
        for (String key : List.of(LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                LSTMParamInitializer.BIAS_KEY)) {
            gradient.gradientForVariable().put(key, gradientViews.get(key));
        }

        if (fromTable) {
            // The embedding's gradient goes to it directly; it is the first layer and needs no dL/dx.
            embedding.acceptTableGradient(tableGradient.array());
            return new Pair<>(gradient, null);
        }
        INDArray dx = LayerArrays.fromTimeMajor(s.dx, s.batch, s.steps, dataType, ArrayType.ACTIVATION_GRAD, workspaceMgr);
        return new Pair<>(gradient, permuteIfNWC(backpropDropOutIfPresent(dx)));
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = null;
        tableRows = null;
    }

    /**
     * Float, unmasked, rank-3 input without weight noise: what {@link LstmSequence} computes; DL4J's code runs
     * anything else.
     */
    private boolean handles() {
        return dataType == DataType.FLOAT && maskArray == null && input != null && input.rank() == 3
                && layerConf().getWeightNoise() == null;
    }

    /**
     * A parameter (or gradient) array of this layer as the matrix products use it, over the same memory: DL4J
     * keeps W [N, 4H], RW [H, 4H] and b [1, 4H] in f order, which is Wᵀ [4H, N], RWᵀ [4H, H] and b row-major.
     */
    private static RowMatrix transposed(java.util.Map<String, INDArray> arrays, String key) {
        return RowMatrix.transposeOf(arrays.get(key));
    }

    private RowMatrix weightsT() {
        return transposed(params, LSTMParamInitializer.INPUT_WEIGHT_KEY);
    }

    private RowMatrix recurrentWeightsT() {
        return transposed(params, LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
    }

    private LstmSequence forward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr); // replaces input, once per input
        INDArray x = permuteIfNWC(input); // [B, N, T]
        LstmSequence s = sequenceFor((int) x.size(2), (int) x.size(0), (int) x.size(1));
        transposed(params, LSTMParamInitializer.BIAS_KEY).read(bias);
        int[] characters = embedding == null ? null : embedding.charactersBehind(input);
        if (characters != null) {
            tableRows = timeMajor(characters, s.batch, s.steps);
            readTable(embedding.table());
            RowMatrix.gemm(table, false, weightsT(), true, projection, 0f); // [V, N]·[N, G]
            s.forwardFromTable(projection, tableRows, recurrentWeightsT(), bias);
        } else {
            tableRows = null;
            LayerArrays.toTimeMajor(x, s.x);
            s.forward(weightsT(), recurrentWeightsT(), bias);
        }
        forwardInput = training ? input : null;
        return s;
    }

    /** Row-major [B·T] (b·T + t) → time-major [T·B] (t·B + b). */
    private static int[] timeMajor(int[] rowMajor, int batch, int steps) {
        int[] out = new int[rowMajor.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) out[t * batch + b] = rowMajor[b * steps + t];
        }
        return out;
    }

    /** Copies the embedding table E [V, N] in, sizing the table buffers for V on first use. */
    private void readTable(INDArray e) {
        int vocab = (int) e.size(0);
        if (table == null || table.rows != vocab) {
            if (table != null) {
                table.close();
                projection.close();
                tableDeltas.close();
                tableGradient.close();
            }
            table = RowMatrix.allocate(vocab, inputs);
            projection = RowMatrix.allocate(vocab, 4 * units);
            tableDeltas = RowMatrix.allocate(vocab, 4 * units);
            tableGradient = RowMatrix.allocate(vocab, inputs);
        }
        table.array().assign(e);
    }

    private LstmSequence sequenceFor(int steps, int batch, int features) {
        if (features != inputs) {
            throw new IllegalArgumentException("input has " + features + " features but the layer has nIn = " + inputs);
        }
        if (sequence == null || !sequence.fits(steps, batch, inputs, units)) {
            if (sequence != null) sequence.close();
            sequence = new LstmSequence(steps, batch, inputs, units);
        }
        return sequence;
    }
}
