package dev.streambard.engine;

import dev.streambard.model.CellType;
import dev.streambard.model.GruLayer;
import dev.streambard.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Immutable inference weights, copied from a trained network, so training can go on changing the
 * network while the engine serves. Nothing here is written after construction.
 */
public final class ModelWeights {
    private final ModelConfig config;
    private final List<LayerWeights> layers;
    /** Embedding folded into layer 0's input projection: row v = embedding[v]·Wx₀ + b₀, [V][G*H]. */
    private final float[][] firstLayerTable;
    /** The same table in native memory, [V, G*H], for the native LSTM cell (which adds row chars[b] to session b's gates). */
    private final NativeMatrix firstLayerTableNative;
    private final NativeMatrix outputWeights; // Wout [H, V]
    private final float[] outputBias;     // [V]

    private ModelWeights(ModelConfig config, List<LayerWeights> layers, INDArray firstLayerTable,
                         NativeMatrix outputWeights, float[] outputBias) {
        this.config = config;
        this.layers = List.copyOf(layers);
        this.firstLayerTable = firstLayerTable.toFloatMatrix();
        this.firstLayerTableNative = NativeMatrix.copyOf(firstLayerTable);
        this.outputWeights = outputWeights;
        this.outputBias = outputBias;
    }

    /** Copies the weights of a network built by {@link dev.streambard.model.CharNetwork}. */
    public static ModelWeights from(MultiLayerNetwork net, ModelConfig config) {
        INDArray embedding = net.getLayer(0).getParam(DefaultParamInitializer.WEIGHT_KEY); // [V, E]
        boolean lstm = config.cell() == CellType.LSTM;
        List<LayerWeights> layers = new ArrayList<>();
        INDArray table = null;
        for (int l = 1; l <= config.layers(); l++) {
            Layer layer = net.getLayer(l);
            INDArray wx = layer.getParam(lstm ? LSTMParamInitializer.INPUT_WEIGHT_KEY : GruLayer.INPUT_WEIGHTS);
            INDArray wh = layer.getParam(lstm ? LSTMParamInitializer.RECURRENT_WEIGHT_KEY : GruLayer.RECURRENT_WEIGHTS);
            INDArray b = layer.getParam(lstm ? LSTMParamInitializer.BIAS_KEY : GruLayer.BIAS).reshape(1, wx.columns());
            if (l == 1) {
                table = embedding.mmul(wx).addiRowVector(b);
                layers.add(new LayerWeights(null, NativeMatrix.weights(wh), new float[(int) wx.columns()], null));
            } else {
                layers.add(new LayerWeights(NativeMatrix.weights(wx), NativeMatrix.weights(wh), b.toFloatVector(),
                        NativeMatrix.copyOf(b)));
            }
        }
        Layer output = net.getLayer(config.layers() + 1);
        return new ModelWeights(config, layers, table,
                NativeMatrix.weights(output.getParam(DefaultParamInitializer.WEIGHT_KEY)),
                output.getParam(DefaultParamInitializer.BIAS_KEY).toFloatVector());
    }

    public ModelConfig config() {
        return config;
    }

    LayerWeights layer(int l) {
        return layers.get(l);
    }

    /** Row v: layer 0's gate pre-activations (bias included) for character v. Callers must not write to it. */
    float[] firstLayerRow(int v) {
        return firstLayerTable[v];
    }

    NativeMatrix firstLayerTable() {
        return firstLayerTableNative;
    }

    NativeMatrix outputWeights() {
        return outputWeights;
    }

    float outputBias(int v) {
        return outputBias[v];
    }
}
