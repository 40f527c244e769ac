package dev.streambard.model;

import static dev.streambard.model.NetworkChecks.VOCAB;
import static dev.streambard.model.NetworkChecks.assertClose;
import static dev.streambard.model.NetworkChecks.flat;
import static dev.streambard.model.NetworkChecks.randomChars;
import static dev.streambard.model.NetworkChecks.score;
import static dev.streambard.model.NetworkChecks.setBatch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link FastLstmLayer} against DL4J's own LSTM layer on the same parameters, and against finite differences. */
class FastLstmLayerTest {

    private static ModelConfig config(int layers, double dropout) {
        return new ModelConfig(CellType.LSTM, VOCAB, 5, 6, layers, dropout);
    }

    private static MultiLayerNetwork network(ModelConfig config, LstmImplementation lstm) {
        MultiLayerNetwork net = CharNetwork.build(config, 1e-2, 42, lstm);
        // Non-zero biases in every gate, so a wrong gate order or a missing bias term shows.
        Random r = new Random(3);
        for (int l = 1; l <= config.layers(); l++) {
            INDArray b = net.getLayer(l).getParam(LSTMParamInitializer.BIAS_KEY);
            for (int i = 0; i < b.length(); i++) b.putScalar(i, r.nextGaussian() * 0.5);
        }
        return net;
    }

    @Test
    void buildsTheFastLayerWithTheStockConfiguration() {
        MultiLayerNetwork stock = network(config(2, 0.3), LstmImplementation.STOCK);
        MultiLayerNetwork fast = network(config(2, 0.3), LstmImplementation.FAST);

        assertInstanceOf(FastLstmLayer.class, fast.getLayer(1));
        assertInstanceOf(FastLstmLayer.class, fast.getLayer(2));
        String fastJson = fast.getLayerWiseConfigurations().toJson();
        assertEquals(stock.getLayerWiseConfigurations().toJson(),
                fastJson.replace(FastLstm.class.getName(), org.deeplearning4j.nn.conf.layers.LSTM.class.getName())
                        .replace(FastEmbedding.class.getName(), EmbeddingSequenceLayer.class.getName())
                        .replace(FastRnnOutput.class.getName(), org.deeplearning4j.nn.conf.layers.RnnOutputLayer.class.getName()));
        // Same layout and the same initial values for the same seed.
        assertArrayEquals(flat(stock.params()), flat(fast.params()), 0f);
        // A configuration read back from JSON builds the fast layer again.
        MultiLayerNetwork reread = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(fastJson));
        reread.init();
        assertInstanceOf(FastLstmLayer.class, reread.getLayer(1));
        assertInstanceOf(FastEmbeddingLayer.class, reread.getLayer(0));
        assertInstanceOf(FastRnnOutputLayer.class, reread.getLayer(3));
    }

    @ParameterizedTest(name = "layers {0}, batch {1}, steps {2}")
    @CsvSource({"1,3,7", "2,2,5", "1,1,1", "2,4,1"})
    void activationsMatchTheStockLayer(int layers, int batch, int steps) {
        MultiLayerNetwork stock = network(config(layers, 0), LstmImplementation.STOCK);
        MultiLayerNetwork fast = network(config(layers, 0), LstmImplementation.FAST);
        INDArray features = CharNetwork.features(randomChars(batch * steps, 1), batch, steps);

        List<INDArray> expected = stock.feedForward(features, false);
        List<INDArray> actual = fast.feedForward(features, false);

        for (int l = 1; l <= layers + 1; l++) { // [0] is the input, [1] the embedding
            assertArrayEquals(expected.get(l + 1).shape(), actual.get(l + 1).shape());
            assertClose(flat(expected.get(l + 1)), flat(actual.get(l + 1)), 1e-5, "layer " + l + " activations");
        }
    }

    @ParameterizedTest(name = "layers {0}, batch {1}, steps {2}, dropout {3}")
    @CsvSource({"1,3,7,0", "2,2,5,0", "1,1,1,0", "2,4,1,0", "2,3,6,0.3"})
    void gradientsMatchTheStockLayer(int layers, int batch, int steps, double dropout) {
        MultiLayerNetwork stock = network(config(layers, dropout), LstmImplementation.STOCK);
        MultiLayerNetwork fast = network(config(layers, dropout), LstmImplementation.FAST);
        setBatch(stock, batch, steps);
        setBatch(fast, batch, steps);

        // The same dropout masks: both layers draw them at the same point of the forward pass.
        Nd4j.getRandom().setSeed(7);
        stock.computeGradientAndScore();
        Nd4j.getRandom().setSeed(7);
        fast.computeGradientAndScore();

        assertEquals(stock.score(), fast.score(), 1e-5 * stock.score());
        // The first LSTM layer read the embedding's table rows, not B·T copies of them.
        assertTrue(((FastLstmLayer) fast.getLayer(1)).readTableRows());
        // The output layer computed its pass itself, except where it drops out its input (DL4J's code then).
        assertEquals(dropout == 0, ((FastRnnOutputLayer) fast.getLayer(layers + 1)).computedLastBackprop());
        // The whole network's gradient: the embedding's and output layer's depend on the LSTM's dx and h.
        assertClose(flat(stock.gradient().gradient()), flat(fast.gradient().gradient()), 1e-5, "gradient");
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int batch = 3;
        MultiLayerNetwork net = network(config(2, 0), LstmImplementation.FAST);
        setBatch(net, batch, 6);
        net.computeGradientAndScore();
        INDArray gradient = net.getFlattenedGradients().dup(); // laid out as params()
        INDArray params = net.params(); // a view the layers share, so writes change the network

        // The embedding table and each LSTM parameter array (W, RW, b of both layers), probed at the entries
        // with the largest gradients.
        float eps = 1e-2f;
        int checked = 0;
        for (int l = 0; l <= 2; l++) {
            long layerStart = 0;
            for (int k = 0; k < l; k++) layerStart += net.getLayer(k).numParams();
            List<String> keys = l == 0 ? List.of(DefaultParamInitializer.WEIGHT_KEY)
                    : List.of(LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                            LSTMParamInitializer.BIAS_KEY);
            for (String key : keys) {
                long start = layerStart + (l == 0 ? 0 : offsetOf(net, l, key));
                long n = net.getLayer(l).getParam(key).length();
                for (long i : largest(gradient, start, n, 4)) {
                    float original = params.getFloat(i);
                    params.putScalar(i, original + eps);
                    double up = score(net);
                    params.putScalar(i, original - eps);
                    double down = score(net);
                    params.putScalar(i, original);
                    // The score is the batch mean; DL4J's gradient is the batch sum (its updater divides).
                    double numeric = batch * (up - down) / (2 * eps);
                    double analytic = gradient.getDouble(i);
                    assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(analytic),
                            "layer " + l + " " + key + " at flat index " + i);
                    checked++;
                }
            }
        }
        assertEquals(28, checked);
    }

    /** Offset of a parameter array within its layer's flattened parameters (W, RW, b in that order). */
    private static long offsetOf(MultiLayerNetwork net, int layer, String key) {
        long offset = 0;
        for (String k : List.of(LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                LSTMParamInitializer.BIAS_KEY)) {
            if (k.equals(key)) return offset;
            offset += net.getLayer(layer).getParam(k).length();
        }
        throw new IllegalArgumentException(key);
    }

    private static long[] largest(INDArray gradient, long start, long n, int count) {
        return java.util.stream.LongStream.range(start, start + n).boxed()
                .sorted((a, b) -> Double.compare(Math.abs(gradient.getDouble(b)), Math.abs(gradient.getDouble(a))))
                .limit(count).mapToLong(Long::longValue).toArray();
    }

    @Test
    void twoLayersWithDropoutLearn() {
        NetworkChecks.assertLearnsToCount(config(2, 0.2));
    }
}
