package dev.streambard.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's LSTM layer configuration, unchanged (parameters, initialisation, dropout, serialisation), except
 * that the network it builds runs {@link FastLstmLayer}. Only the tanh/sigmoid LSTM is supported.
 */
public class FastLstm extends LSTM {

    /** For JSON deserialisation of network configurations. */
    public FastLstm() {
    }

    /** The same configuration as {@code stock} (every field its builder set, defaults included). */
    public static FastLstm of(LSTM stock) {
        if (!(stock.getActivationFn() instanceof ActivationTanH) || !(stock.getGateActivationFn() instanceof ActivationSigmoid)) {
            throw new IllegalArgumentException("FastLstm computes tanh cells with sigmoid gates, not "
                    + stock.getActivationFn() + " / " + stock.getGateActivationFn());
        }
        return LayerConfigs.copyFields(LSTM.class, stock, new FastLstm());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        // As DL4J's LSTM.instantiate, with this layer class.
        LayerValidation.assertNInNOutSet("LSTM", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerConfigs.wire(new FastLstmLayer(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
