package dev.streambard.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's sequence embedding configuration, unchanged (parameters, initialisation, serialisation), except
 * that the network it builds runs {@link FastEmbeddingLayer}, which a {@link FastLstmLayer} above it can
 * read character indices from.
 */
public class FastEmbedding extends EmbeddingSequenceLayer {

    /** For JSON deserialisation of network configurations. */
    public FastEmbedding() {
    }

    /** The same configuration as {@code stock} (every field its builder set, defaults included). */
    public static FastEmbedding of(EmbeddingSequenceLayer stock) {
        return LayerConfigs.copyFields(EmbeddingSequenceLayer.class, stock, new FastEmbedding());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        // As DL4J's EmbeddingSequenceLayer.instantiate, with this layer class.
        return LayerConfigs.wire(new FastEmbeddingLayer(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
