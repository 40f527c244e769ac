package dev.streambard.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J network for a {@link ModelConfig} and converts batches to its array layout.
 *
 * <p>Layer order: 0 = embedding, 1..layers = recurrent, layers+1 = output. Every sequence array is
 * NCW: features [B, T] of character indices, activations [B, channels, T].
 */
public final class CharNetwork {

    private CharNetwork() {
    }

    public static MultiLayerNetwork build(ModelConfig model, double learningRate, long seed) {
        return build(model, learningRate, seed, LstmImplementation.FAST);
    }

    /** As {@link #build(ModelConfig, double, long)}, with a choice of LSTM code (GRU networks ignore it). */
    public static MultiLayerNetwork build(ModelConfig model, double learningRate, long seed, LstmImplementation lstm) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER)
                .list();
        EmbeddingSequenceLayer embedding = new EmbeddingSequenceLayer.Builder()
                .nIn(model.vocabSize()).nOut(model.embedding())
                .hasBias(false)
                // N(0, 1) as torch.nn.Embedding: Xavier's ~0.1 scale gave the LSTM weak inputs and
                // measurably slower first epochs (held-out 2.21 against 2.01 after one epoch).
                .weightInit(new NormalDistribution(0, 1))
                .outputDataFormat(RNNFormat.NCW)
                .build();
        boolean fast = lstm == LstmImplementation.FAST && model.cell() == CellType.LSTM;
        list.layer(fast ? FastEmbedding.of(embedding) : embedding);
        for (int l = 0; l < model.layers(); l++) {
            list.layer(recurrentLayer(model, l, lstm));
        }
        RnnOutputLayer.Builder output = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(model.units()).nOut(model.vocabSize())
                .activation(Activation.SOFTMAX)
                .dataFormat(RNNFormat.NCW);
        if (model.dropout() > 0) output.dropOut(1 - model.dropout());
        RnnOutputLayer outputLayer = output.build();
        MultiLayerConfiguration conf = list.layer(lstm == LstmImplementation.FAST ? FastRnnOutput.of(outputLayer) : outputLayer).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        if (net.getLayer(0) instanceof FastEmbeddingLayer e && net.getLayer(1) instanceof FastLstmLayer first) {
            first.readsEmbeddingOf(e);
        }
        for (int l = 1; l <= model.layers(); l++) {
            // Every layer above a recurrent one drops out its input when the model has dropout.
            if (net.getLayer(l) instanceof FastLstmLayer recurrent) recurrent.nextLayerDropsOut(model.dropout() > 0);
        }
        return net;
    }

    private static Layer recurrentLayer(ModelConfig model, int l, LstmImplementation implementation) {
        int nIn = model.inputSize(l);
        // DL4J's dropOut takes the probability to *keep* an input; dropout goes between recurrent layers
        // (and before the output layer), never on the embedding, as in the usual stacked char-RNN.
        double keep = l > 0 && model.dropout() > 0 ? 1 - model.dropout() : 0;
        if (model.cell() == CellType.GRU) {
            GruLayer gru = new GruLayer(nIn, model.units());
            if (keep > 0) gru.setIDropout(new org.deeplearning4j.nn.conf.dropout.Dropout(keep));
            return gru;
        }
        LSTM.Builder lstm = new LSTM.Builder()
                .nIn(nIn).nOut(model.units())
                .activation(Activation.TANH)
                .gateActivationFunction(Activation.SIGMOID)
                .dataFormat(RNNFormat.NCW);
        if (keep > 0) lstm.dropOut(keep);
        return implementation == LstmImplementation.FAST ? FastLstm.of(lstm.build()) : lstm.build();
    }

    /** Character indices [B*T] row-major → features [B, T]. */
    public static INDArray features(int[] indices, int batch, int seqLen) {
        float[] data = new float[indices.length];
        for (int i = 0; i < indices.length; i++) data[i] = indices[i];
        return Nd4j.create(data, new long[]{batch, seqLen}, 'c');
    }

    /** Target indices [B*T] row-major → one-hot labels [B, V, T]. */
    public static INDArray oneHotLabels(int[] targets, int batch, int seqLen, int vocab) {
        float[] data = new float[batch * vocab * seqLen];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqLen; t++) {
                data[(b * vocab + targets[b * seqLen + t]) * seqLen + t] = 1f;
            }
        }
        return Nd4j.create(data, new long[]{batch, vocab, seqLen}, 'c');
    }
}
