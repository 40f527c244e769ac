package dev.streambard.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's recurrent output layer configuration, unchanged (parameters, initialisation, loss, dropout,
 * serialisation), except that the network it builds runs {@link FastRnnOutputLayer}.
 */
public class FastRnnOutput extends RnnOutputLayer {

    /** For JSON deserialisation of network configurations. */
    public FastRnnOutput() {
    }

    /** The same configuration as {@code stock} (every field its builder set, defaults included). */
    public static FastRnnOutput of(RnnOutputLayer stock) {
        return LayerConfigs.copyFields(RnnOutputLayer.class, stock, new FastRnnOutput());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        // As DL4J's RnnOutputLayer.instantiate, with this layer class.
        LayerValidation.assertNInNOutSet("RnnOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerConfigs.wire(new FastRnnOutputLayer(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
