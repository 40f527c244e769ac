package dev.streambard.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime layer of a {@link GruLayer}: DL4J's SameDiff layer (parameters, gradient views and
 * serialisation unchanged) with the training passes ({@link #activate}, {@link #backpropGradient})
 * computed by {@link GruSequence}: the forward pass of ND4J's {@code gru} op within float rounding, and
 * its true gradient, which the op's own backprop is not (see {@link GruLayer}). The forward pass is kept
 * for backprop instead of being run again as the SameDiff layer does.
 *
 * <p>Arrays: input [B, N, T] (NCW), output [B, H, T]; parameters Wx [N, 3H], Wh [H, 3H], b [1, 3H].
 * Each sequence starts from zero state.
 *
 * <p>Dropout: DL4J's SameDiff layer never applies the layer's input dropout (only layers that call
 * {@code applyDropOutIfNecessary} do), which silently dropped the dropout between stacked GRU layers.
 * This layer applies it on both paths, as DL4J's LSTM does.
 *
 * <p>Float networks only: other data types and masked input run the SameDiff graph, with the op's backprop.
 */
public class FastGruLayer extends SameDiffLayer {
    private GruSequence sequence;   // buffers for the last batch shape
    private INDArray forwardInput;  // the input that sequence holds a training forward pass of, else null
    private boolean sameDiffOnly;   // tests: run the SameDiff graph even where GruSequence would
    // Parameters copied to row-major native matrices once per pass, and their gradients.
    private final RowMatrix wx;  // [N, 3H]
    private final RowMatrix wh;  // [H, 3H]
    private final RowMatrix b;   // [1, 3H]
    private final RowMatrix dwx;
    private final RowMatrix dwh;
    private final RowMatrix db;
    private final float[] bias;

    public FastGruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        GruLayer c = (GruLayer) conf.getLayer();
        int n = (int) c.getNIn();
        int hu = (int) c.getNOut();
        bias = new float[3 * hu];
        wx = RowMatrix.allocate(n, 3 * hu);
        wh = RowMatrix.allocate(hu, 3 * hu);
        b = RowMatrix.allocate(1, 3 * hu);
        dwx = RowMatrix.allocate(n, 3 * hu);
        dwh = RowMatrix.allocate(hu, 3 * hu);
        db = RowMatrix.allocate(1, 3 * hu);
    }

    /** For tests: always run DL4J's SameDiff graph (with this layer's dropout), the reference path. */
    void useSameDiffOnly(boolean sameDiffOnly) {
        this.sameDiffOnly = sameDiffOnly;
        forwardInput = null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr); // replaces input, once per input
        if (!handles()) return super.activate(training, workspaceMgr);
        GruSequence s = forward(training);
        // c-order [B, H, T], the layout the SameDiff path returns (a c-order copy of the graph's output), so
        // the next layer's dropout, which draws its mask in memory order, drops the same entries on both
        // paths for the same random seed.
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType, new long[]{s.batch, s.units, s.steps}, 'c');
        out.assign(s.h.array().reshape(s.steps, s.batch, s.units).permute(1, 2, 0)); // [T, B, H] → [B, H, T]
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        applyDropOutIfNecessary(true, workspaceMgr); // a no-op after the usual training forward pass
        if (!handles()) {
            Pair<Gradient, INDArray> stock = super.backpropGradient(epsilon, workspaceMgr);
            return new Pair<>(stock.getFirst(), backpropDropOutIfPresent(stock.getSecond()));
        }
        // The network runs a training forward pass just before; anything else gets one now.
        GruSequence s = forwardInput == input ? sequence : forward(true);
        LayerArrays.toTimeMajor(epsilon, s.dh);
        s.backward(wx, wh, dwx, dwh, db);

        Gradient gradient = new DefaultGradient();
        LayerArrays.putGradient(gradTable, gradient, GruLayer.INPUT_WEIGHTS, dwx);
        LayerArrays.putGradient(gradTable, gradient, GruLayer.RECURRENT_WEIGHTS, dwh);
        LayerArrays.putGradient(gradTable, gradient, GruLayer.BIAS, db);

        INDArray dx = LayerArrays.fromTimeMajor(s.dx, s.batch, s.steps, dataType, ArrayType.ACTIVATION_GRAD, workspaceMgr);
        return new Pair<>(gradient, backpropDropOutIfPresent(dx));
    }

    @Override
    public void clear() {
        super.clear();
        forwardInput = null;
    }

    /** Float, unmasked, rank-3 input: what {@link GruSequence} computes; the SameDiff graph runs anything else. */
    private boolean handles() {
        return !sameDiffOnly && dataType == DataType.FLOAT && maskArray == null && input != null && input.rank() == 3;
    }

    /** A forward pass on the (dropped-out) input. */
    private GruSequence forward(boolean training) {
        GruSequence s = sequenceFor((int) input.size(2), (int) input.size(0), (int) input.size(1));
        LayerArrays.toTimeMajor(input, s.x);
        wx.array().assign(getParam(GruLayer.INPUT_WEIGHTS));
        wh.array().assign(getParam(GruLayer.RECURRENT_WEIGHTS));
        b.array().assign(getParam(GruLayer.BIAS));
        b.read(bias);
        s.forward(wx, wh, bias);
        forwardInput = training ? input : null;
        return s;
    }

    private GruSequence sequenceFor(int steps, int batch, int inputs) {
        int units = wh.rows;
        if (inputs != wx.rows) {
            throw new IllegalArgumentException("input has " + inputs + " features but the layer has nIn = " + wx.rows);
        }
        if (sequence == null || !sequence.fits(steps, batch, inputs, units)) {
            if (sequence != null) sequence.close();
            sequence = new GruSequence(steps, batch, inputs, units);
        }
        return sequence;
    }
}
