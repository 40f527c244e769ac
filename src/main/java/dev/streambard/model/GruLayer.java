package dev.streambard.model;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A GRU layer for DL4J networks (DL4J 1.0.0-M2.1 has no GRU layer): the configuration (parameters,
 * initialisation, JSON), defined as a SameDiff graph on ND4J's native {@code gru} op. Networks run it as
 * {@link FastGruLayer}, which computes float training passes with {@link GruSequence} and runs this graph
 * for anything else.
 *
 * <p>Parameters: Wx [nIn, 3H], Wh [H, 3H], b [1, 3H], gate blocks ordered (reset r, update u, candidate c):
 * r = σ(x·Wxr + h·Whr + br), u = σ(x·Wxu + h·Whu + bu), c = tanh(x·Wxc + bc + r⊙(h·Whc)),
 * h' = u⊙h + (1−u)⊙c: the reset gate scales the recurrent product, as the op computes (FastGruLayerTest
 * checks the op against GruSequence with non-zero state). The sequence starts from h = 0.
 *
 * <p>The op's own backprop (ND4J 1.0.0-M2.1) is not the gradient of its forward pass: it differs from
 * central differences, most in the reset gate's columns, so FastGruLayerTest checks gradients against an
 * unrolled graph of elementary ops instead.
 */
public class GruLayer extends SameDiffLayer {
    public static final String INPUT_WEIGHTS = "Wx";
    public static final String RECURRENT_WEIGHTS = "Wh";
    public static final String BIAS = "b";

    private long nIn;
    private long nOut;

    /** For JSON deserialisation of network configurations. */
    protected GruLayer() {
    }

    public GruLayer(long nIn, long nOut) {
        this.nIn = nIn;
        this.nOut = nOut;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable timeMajor = sd.permute(input, 2, 0, 1); // [B, nIn, T] → [T, B, nIn], as the op wants
        SDVariable stateShape = sd.stack(0, sd.sizeAt(input, 0), sd.constant(Nd4j.scalar(DataType.LONG, nOut)));
        SDVariable h0 = sd.fill(stateShape, input.dataType(), 0.0); // [B, H]
        SDVariable bias = sd.reshape(params.get(BIAS), 3 * nOut);
        SDVariable out = sd.rnn().gru(timeMajor, h0, params.get(INPUT_WEIGHTS), params.get(RECURRENT_WEIGHTS), bias);
        return sd.permute(out, 1, 2, 0); // [T, B, H] → [B, H, T]
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        // As DL4J's SameDiffLayer.instantiate, with the runtime layer that runs GruSequence.
        return LayerConfigs.wire(new FastGruLayer(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam(INPUT_WEIGHTS, nIn, 3 * nOut);
        params.addWeightParam(RECURRENT_WEIGHTS, nOut, 3 * nOut);
        params.addBiasParam(BIAS, 1, 3 * nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                INDArray p = e.getValue();
                if (BIAS.equals(e.getKey())) {
                    p.assign(0);
                } else {
                    new WeightInitXavier().init(p.size(0), p.size(1), p.shape(), 'c', p);
                }
            }
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(nOut, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) nIn = ((InputType.InputTypeRecurrent) inputType).getSize();
    }

    public long getNIn() {
        return nIn;
    }

    public long getNOut() {
        return nOut;
    }

    // The JSON names these sizes "nin" and "nout" (after the getters); without these setters a configuration
    // read back from JSON had nIn = nOut = 0.

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }
}
