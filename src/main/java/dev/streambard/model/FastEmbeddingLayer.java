package dev.streambard.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's sequence embedding layer, which also tells the layer above which characters its output rows are
 * ({@link #charactersBehind}) and takes the table's gradient from it ({@link #acceptTableGradient}). A
 * {@link FastLstmLayer} reading an embedding then projects the V table rows instead of B·T copies of them
 * (see {@link LstmSequence#forwardFromTable}). Everything else is the stock layer's.
 *
 * <p>Arrays: input [B, T] of character indices, output [B, N, T], table E [V, N].
 */
public class FastEmbeddingLayer extends EmbeddingSequenceLayer {
    private INDArray lastOutput;    // what the last activate returned
    private int[] lastCharacters;   // [B·T] its input, row-major: example b's step t at b·T + t
    private boolean gradientTaken;  // the layer above wrote this pass's table gradient already

    public FastEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray out = super.activate(training, workspaceMgr);
        boolean plainLookup = maskArray == null && !hasBias() && layerConf().getActivationFn() instanceof ActivationIdentity;
        lastOutput = plainLookup ? out : null;
        lastCharacters = plainLookup ? input.dup('c').data().asInt() : null; // the stock layer checked their range
        gradientTaken = false;
        return out;
    }

    /**
     * The characters whose table rows {@code activations} holds, row-major [B·T], if it is this layer's last
     * output (a plain lookup: no mask, bias or activation), else null.
     */
    int[] charactersBehind(INDArray activations) {
        return activations != null && activations == lastOutput ? lastCharacters : null;
    }

    /** The embedding table E [V, N]. */
    INDArray table() {
        return getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    /** dL/dE [V, N] for the current pass, from the layer above; {@link #backpropGradient} then uses it as is. */
    void acceptTableGradient(INDArray gradient) {
        gradientViews.get(DefaultParamInitializer.WEIGHT_KEY).assign(gradient);
        gradientTaken = true;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!gradientTaken) return super.backpropGradient(epsilon, workspaceMgr);
        gradientTaken = false;
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY,
                gradientViews.get(DefaultParamInitializer.WEIGHT_KEY));
        return new Pair<>(gradient, null); // the first layer: no gradient for its input
    }

    @Override
    public void clear() {
        super.clear();
        lastOutput = null;
        lastCharacters = null;
        gradientTaken = false;
    }
}
