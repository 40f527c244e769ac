package dev.streambard.model;

import static dev.streambard.model.NetworkChecks.assertClose;
import static dev.streambard.model.NetworkChecks.flat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** {@link FastRnnOutputLayer} against DL4J's own output layer on the same parameters, inputs and labels. */
class FastRnnOutputLayerTest {
    private static final int H = 7;
    private static final int V = 5;

    /** A network of one output layer, stock or fast, with the same parameters (non-zero bias). */
    private static org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer layer(boolean fast) {
        RnnOutputLayer conf = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(H).nOut(V).activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build();
        MultiLayerConfiguration c = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT).list()
                .layer(fast ? FastRnnOutput.of(conf) : conf).build();
        MultiLayerNetwork net = new MultiLayerNetwork(c);
        net.init();
        net.initGradientsView(); // as a network does before its first backprop
        INDArray b = net.getLayer(0).getParam(DefaultParamInitializer.BIAS_KEY);
        Random r = new Random(3);
        for (int i = 0; i < V; i++) b.putScalar(i, r.nextGaussian());
        return (org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer) net.getLayer(0);
    }

    /** Input [B, H, T] with memory [H][T][B] (as the fast recurrent layers write it) or in plain c order. */
    private static INDArray input(int batch, int steps, boolean timeMajor) {
        INDArray values = Nd4j.rand(DataType.FLOAT, batch, H, steps).subi(0.5).muli(4);
        if (!timeMajor) return values;
        INDArray x = Nd4j.create(DataType.FLOAT, new long[]{batch, steps, H}, 'f').permute(0, 2, 1);
        return x.assign(values);
    }

    /** One-hot labels [B, V, T]; example 0 at step 0 has none (a padding row still gets p as its gradient). */
    private static INDArray labels(int batch, int steps) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, V, steps);
        Random r = new Random(9);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                if (b == 0 && t == 0) continue;
                y.putScalar(new long[]{b, r.nextInt(V), t}, 1f);
            }
        }
        return y;
    }

    @ParameterizedTest(name = "batch {0}, steps {1}, time-major input {2}")
    @CsvSource({"3, 4, true", "3, 4, false", "1, 1, true", "2, 40, true"})
    void gradientsEpsilonAndScoreMatchTheStockLayer(int batch, int steps, boolean timeMajor) {
        var stock = layer(false);
        var fast = layer(true);
        assertInstanceOf(FastRnnOutputLayer.class, fast);
        INDArray x = input(batch, steps, timeMajor);
        INDArray y = labels(batch, steps);
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        stock.setInput(x, ws);
        fast.setInput(x, ws);
        stock.setLabels(y);
        fast.setLabels(y);

        Pair<Gradient, INDArray> expected = stock.backpropGradient(null, ws);
        Pair<Gradient, INDArray> actual = fast.backpropGradient(null, ws);
        assertEquals(true, ((FastRnnOutputLayer) fast).computedLastBackprop());
        for (String key : new String[]{DefaultParamInitializer.WEIGHT_KEY, DefaultParamInitializer.BIAS_KEY}) {
            assertClose(flat(expected.getFirst().getGradientFor(key)), flat(actual.getFirst().getGradientFor(key)), 1e-5, key);
        }
        assertEquals(java.util.Arrays.toString(expected.getSecond().shape()), java.util.Arrays.toString(actual.getSecond().shape()));
        assertClose(flat(expected.getSecond()), flat(actual.getSecond()), 1e-5, "epsilon");

        double stockScore = stock.computeScore(0.25, true, ws);
        double fastScore = fast.computeScore(0.25, true, ws);
        assertEquals(stockScore, fastScore, 1e-5 * Math.abs(stockScore));
        // Asked again (no backprop in between), the layer computes the score as DL4J does.
        assertEquals(stockScore, fast.computeScore(0.25, true, ws),
                1e-5 * Math.abs(stockScore));
    }
}
