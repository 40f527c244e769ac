package dev.streambard.engine;

import dev.streambard.model.CellType;
import dev.streambard.model.GruLayer;
import dev.streambard.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Immutable inference weights, copied from a trained network so that training can go on changing the
 * network while the engine serves. Nothing here is ever written after construction.
 */
public final class ModelWeights {
    private final ModelConfig config;
    private final List<LayerWeights> layers;
    /** Embedding folded into layer 0's input projection: row v = embedding[v]·Wx₀ + b₀, [V, G*H]. */
    private final INDArray firstLayerTable;
    /** GRU only: the reset/update columns of each layer's recurrent weights [H, 2H], and the candidate's [H, H]. */
    private final List<INDArray> gruGateRecurrent;
    private final List<INDArray> gruCandidateRecurrent;
    private final INDArray outputWeights; // [H, V]
    private final INDArray outputBias;    // [1, V]

    private ModelWeights(ModelConfig config, INDArray embedding, List<LayerWeights> layers,
                         INDArray outputWeights, INDArray outputBias) {
        this.config = config;
        this.layers = List.copyOf(layers);
        LayerWeights first = layers.get(0);
        this.firstLayerTable = embedding.mmul(first.input()).addiRowVector(first.bias());
        this.outputWeights = outputWeights;
        this.outputBias = outputBias;
        List<INDArray> gates = new ArrayList<>();
        List<INDArray> candidates = new ArrayList<>();
        if (config.cell() == CellType.GRU) {
            long h = config.units();
            for (LayerWeights l : layers) {
                gates.add(l.recurrent().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2 * h)).dup('c'));
                candidates.add(l.recurrent().get(NDArrayIndex.all(), NDArrayIndex.interval(2 * h, 3 * h)).dup('c'));
            }
        }
        this.gruGateRecurrent = List.copyOf(gates);
        this.gruCandidateRecurrent = List.copyOf(candidates);
    }

    /** Copies the weights of a network built by {@link dev.streambard.model.CharNetwork}. */
    public static ModelWeights from(MultiLayerNetwork net, ModelConfig config) {
        INDArray embedding = copy(net.getLayer(0).getParam(DefaultParamInitializer.WEIGHT_KEY));
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 1; l <= config.layers(); l++) {
            var layer = net.getLayer(l);
            layers.add(config.cell() == CellType.LSTM
                    ? new LayerWeights(copy(layer.getParam(LSTMParamInitializer.INPUT_WEIGHT_KEY)),
                            copy(layer.getParam(LSTMParamInitializer.RECURRENT_WEIGHT_KEY)),
                            copy(layer.getParam(LSTMParamInitializer.BIAS_KEY)))
                    : new LayerWeights(copy(layer.getParam(GruLayer.INPUT_WEIGHTS)),
                            copy(layer.getParam(GruLayer.RECURRENT_WEIGHTS)),
                            copy(layer.getParam(GruLayer.BIAS))));
        }
        var output = net.getLayer(config.layers() + 1);
        return new ModelWeights(config, embedding, layers,
                copy(output.getParam(DefaultParamInitializer.WEIGHT_KEY)),
                copy(output.getParam(DefaultParamInitializer.BIAS_KEY)));
    }

    private static INDArray copy(INDArray param) {
        INDArray c = param.dup('c');
        return c.rank() == 1 ? c.reshape(1, c.length()) : c;
    }

    public ModelConfig config() {
        return config;
    }

    List<LayerWeights> layers() {
        return layers;
    }

    INDArray firstLayerTable() {
        return firstLayerTable;
    }

    INDArray gruGateRecurrent(int layer) {
        return gruGateRecurrent.get(layer);
    }

    INDArray gruCandidateRecurrent(int layer) {
        return gruCandidateRecurrent.get(layer);
    }

    INDArray outputWeights() {
        return outputWeights;
    }

    INDArray outputBias() {
        return outputBias;
    }

    /** Bytes held by the weights, for reports. */
    public long sizeBytes() {
        long n = firstLayerTable.length() + outputWeights.length() + outputBias.length();
        for (LayerWeights l : layers) n += l.input().length() + l.recurrent().length() + l.bias().length();
        return n * Float.BYTES;
    }

    static INDArray zeros(long rows, long cols) {
        return Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, cols);
    }
}
