package dev.streambard.model;

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
 * lays them out: W [N, 4H], RW [H, 4H], b [1, 4H]. Each sequence starts from zero state.
 *
 * <p>Everything else is the stock layer's: float networks only (others, masks, truncated BPTT and
 * {@code rnnTimeStep} run DL4J's code).
 */
public class FastLstmLayer extends LSTM {
    private LstmSequence sequence;  // buffers for the last batch shape
    private INDArray forwardInput;  // the input that sequence holds a training forward pass of, else null
    // Parameters copied to row-major native matrices once per pass, and their gradients.
    private RowMatrix w;   // [N, 4H]
    private RowMatrix rw;  // [H, 4H]
    private RowMatrix b;   // [1, 4H]
    private RowMatrix dw;
    private RowMatrix drw;
    private RowMatrix db;
    private final float[] bias;

    public FastLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.LSTM c = (org.deeplearning4j.nn.conf.layers.LSTM) conf.getLayer();
        int n = (int) c.getNIn();
        int g = 4 * (int) c.getNOut();
        bias = new float[g];
        w = RowMatrix.allocate(n, g);
        rw = RowMatrix.allocate(g / 4, g);
        b = RowMatrix.allocate(1, g);
        dw = RowMatrix.allocate(n, g);
        drw = RowMatrix.allocate(g / 4, g);
        db = RowMatrix.allocate(1, g);
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
        // The stock layer's layout, f-order [B, H, T]: the next layer's dropout draws its mask in memory
        // order, so this layout keeps dropout identical to DL4J's for the same random seed. (The layout of
        // fromTimeMajor would spare RnnOutputLayer a copy, ~5% of a step, but map the masks differently.)
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
        s.backward(w, rw, dw, drw, db);

        Gradient gradient = new DefaultGradient();
        LayerArrays.putGradient(gradientViews, gradient, LSTMParamInitializer.INPUT_WEIGHT_KEY, dw);
        LayerArrays.putGradient(gradientViews, gradient, LSTMParamInitializer.RECURRENT_WEIGHT_KEY, drw);
        LayerArrays.putGradient(gradientViews, gradient, LSTMParamInitializer.BIAS_KEY, db);
        weightNoiseParams.clear();

        INDArray dx = LayerArrays.fromTimeMajor(s.dx, s.batch, s.steps, dataType, ArrayType.ACTIVATION_GRAD, workspaceMgr);
        return new Pair<>(gradient, permuteIfNWC(backpropDropOutIfPresent(dx)));
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = null;
    }

    /** Float, unmasked, rank-3 input: what {@link LstmSequence} computes; DL4J's code runs anything else. */
    private boolean handles() {
        return dataType == DataType.FLOAT && maskArray == null && input != null && input.rank() == 3;
    }

    private LstmSequence forward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr); // replaces input, once per input
        INDArray x = permuteIfNWC(input); // [B, N, T]
        LstmSequence s = sequenceFor((int) x.size(2), (int) x.size(0), (int) x.size(1));
        LayerArrays.toTimeMajor(x, s.x);
        w.array().assign(getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr));
        rw.array().assign(getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr));
        b.array().assign(getParamWithNoise(LSTMParamInitializer.BIAS_KEY, training, workspaceMgr));
        b.read(bias);
        s.forward(w, rw, bias);
        forwardInput = training ? input : null;
        return s;
    }

    private LstmSequence sequenceFor(int steps, int batch, int inputs) {
        int units = rw.rows;
        if (inputs != w.rows) {
            throw new IllegalArgumentException("input has " + inputs + " features but the layer has nIn = " + w.rows);
        }
        if (sequence == null || !sequence.fits(steps, batch, inputs, units)) {
            if (sequence != null) sequence.close();
            sequence = new LstmSequence(steps, batch, inputs, units);
        }
        return sequence;
    }
}
