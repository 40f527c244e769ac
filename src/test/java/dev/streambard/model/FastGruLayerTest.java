package dev.streambard.model;

import static dev.streambard.model.NetworkChecks.VOCAB;
import static dev.streambard.model.NetworkChecks.assertClose;
import static dev.streambard.model.NetworkChecks.flat;
import static dev.streambard.model.NetworkChecks.randomChars;
import static dev.streambard.model.NetworkChecks.score;
import static dev.streambard.model.NetworkChecks.setBatch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FastGruLayer}'s {@link GruSequence} path against its SameDiff graph (ND4J's gru op) for the forward
 * pass and dropout, and for gradients against the same GRU unrolled into elementary SameDiff ops and against
 * central differences: the op's own backprop is not the gradient of its forward pass (see {@link GruLayer}).
 */
class FastGruLayerTest {
    private static final List<String> PARAMS = List.of(GruLayer.INPUT_WEIGHTS, GruLayer.RECURRENT_WEIGHTS, GruLayer.BIAS);

    private static ModelConfig config(int layers, double dropout) {
        return new ModelConfig(CellType.GRU, VOCAB, 5, 6, layers, dropout);
    }

    /** The network CharNetwork builds, on GruSequence or (sameDiff) on ND4J's gru op. */
    private static MultiLayerNetwork network(ModelConfig config, boolean sameDiff) {
        MultiLayerNetwork net = CharNetwork.build(config, 1e-2, 42);
        // Non-zero biases in every gate, so a wrong gate order or a missing bias term shows.
        Random r = new Random(3);
        for (int l = 1; l <= config.layers(); l++) {
            FastGruLayer gru = (FastGruLayer) net.getLayer(l);
            INDArray b = gru.getParam(GruLayer.BIAS);
            for (int i = 0; i < b.length(); i++) b.putScalar(i, r.nextGaussian() * 0.5);
            gru.useSameDiffOnly(sameDiff);
        }
        return net;
    }

    /**
     * The GRU of {@link GruLayer}'s javadoc unrolled over the steps in elementary SameDiff ops, in double:
     * c = tanh(x·Wxc + bc + r⊙(h·Whc)). Its gradients are SameDiff's autodiff of those ops.
     */
    private static final class ReferenceGru {
        final SameDiff sd = SameDiff.create();
        final SDVariable output; // [B, H, T]
        final SDVariable loss;   // Σ output⊙epsilon, so dL/d(output) = epsilon

        /** x [B, N, T], epsilon [B, H, T]; params Wx [N, 3H], Wh [H, 3H], b [1, 3H]. */
        ReferenceGru(INDArray x, INDArray epsilon, Map<String, INDArray> params) {
            int units = (int) params.get(GruLayer.RECURRENT_WEIGHTS).size(0);
            int steps = (int) x.size(2);
            SDVariable wx = sd.var(GruLayer.INPUT_WEIGHTS, asDouble(params.get(GruLayer.INPUT_WEIGHTS)));
            SDVariable wh = sd.var(GruLayer.RECURRENT_WEIGHTS, asDouble(params.get(GruLayer.RECURRENT_WEIGHTS)));
            SDVariable b = sd.var(GruLayer.BIAS, asDouble(params.get(GruLayer.BIAS)));
            SDVariable[] xs = sd.unstack(sd.var("x", asDouble(x)), 2, steps); // [B, N] each
            SDVariable h = null;                                                // h₋₁ = 0: no recurrent terms at t = 0
            SDVariable[] hs = new SDVariable[steps];
            for (int t = 0; t < steps; t++) {
                SDVariable z = xs[t].mmul(wx).add(b);                          // [B, 3H]
                SDVariable zr = block(z, 0, units);
                SDVariable zu = block(z, 1, units);
                SDVariable zc = block(z, 2, units);
                if (h != null) {
                    SDVariable rec = h.mmul(wh);
                    zr = zr.add(block(rec, 0, units));
                    zu = zu.add(block(rec, 1, units));
                }
                SDVariable r = sd.nn().sigmoid(zr);
                SDVariable u = sd.nn().sigmoid(zu);
                SDVariable c = sd.math().tanh(h == null ? zc : zc.add(r.mul(block(h.mmul(wh), 2, units))));
                SDVariable keep = u.rsub(1.0).mul(c);
                h = h == null ? keep : u.mul(h).add(keep);
                hs[t] = h;
            }
            output = sd.stack(2, hs);
            loss = output.mul(sd.constant(asDouble(epsilon))).sum();
            loss.markAsLoss();
        }

        /** Gate block k of a [B, 3H] matrix: columns [k·H, (k+1)·H). */
        private static SDVariable block(SDVariable gates, int k, int units) {
            return gates.get(SDIndex.all(), SDIndex.interval(k * units, (k + 1) * units));
        }

        private static INDArray asDouble(INDArray a) {
            return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c');
        }

        INDArray output() {
            return sd.output(Map.of(), output.name()).get(output.name());
        }

        Map<String, INDArray> gradients() {
            return sd.calculateGradients(Map.of(), "x", GruLayer.INPUT_WEIGHTS, GruLayer.RECURRENT_WEIGHTS, GruLayer.BIAS);
        }
    }

    @Test
    void buildsTheFastLayerAndReadsItBackFromJson() {
        MultiLayerNetwork net = network(config(2, 0.3), false);
        assertInstanceOf(FastGruLayer.class, net.getLayer(1));
        assertInstanceOf(FastGruLayer.class, net.getLayer(2));

        // The configuration is GruLayer's, as before: checkpoints written before read back unchanged.
        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains(GruLayer.class.getName()));
        assertFalse(json.contains(FastGruLayer.class.getSimpleName()));
        MultiLayerNetwork reread = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        reread.init(net.params().dup(), false);
        assertInstanceOf(FastGruLayer.class, reread.getLayer(1));
        assertInstanceOf(FastGruLayer.class, reread.getLayer(2));
        assertEquals(json, reread.getLayerWiseConfigurations().toJson());

        INDArray features = CharNetwork.features(randomChars(2 * 4, 1), 2, 4);
        assertArrayEquals(flat(net.output(features)), flat(reread.output(features)), 0f);
    }

    @ParameterizedTest(name = "layers {0}, batch {1}, steps {2}")
    @CsvSource({"1,3,7", "2,2,5", "1,1,1", "2,4,1"})
    void activationsMatchTheSameDiffGraph(int layers, int batch, int steps) {
        MultiLayerNetwork stock = network(config(layers, 0), true);
        MultiLayerNetwork fast = network(config(layers, 0), false);
        INDArray features = CharNetwork.features(randomChars(batch * steps, 1), batch, steps);

        List<INDArray> expected = stock.feedForward(features, false);
        List<INDArray> actual = fast.feedForward(features, false);

        for (int l = 1; l <= layers + 1; l++) { // [0] is the input, [1] the embedding
            assertArrayEquals(expected.get(l + 1).shape(), actual.get(l + 1).shape());
            assertClose(flat(expected.get(l + 1)), flat(actual.get(l + 1)), 1e-5, "layer " + l + " activations");
        }
    }

    // No single-step or single-example case: ND4J fails to differentiate the reference's slicing
    // (strided_slice_bp) when T or B is 1.
    @ParameterizedTest(name = "batch {0}, steps {1}")
    @CsvSource({"3,7", "2,5", "2,3", "4,2", "2,12"})
    void layerGradientsMatchTheUnrolledGraph(int batch, int steps) {
        MultiLayerNetwork net = network(config(1, 0), false);
        net.initGradientsView(); // the layer's gradient views, which a network sets up on its first backprop
        FastGruLayer layer = (FastGruLayer) net.getLayer(1);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 5, steps);
        INDArray epsilon = Nd4j.randn(DataType.FLOAT, batch, 6, steps);
        ReferenceGru reference = new ReferenceGru(x, epsilon, layer.paramTable());

        INDArray output = layer.activate(x, true, noWorkspaces);
        Pair<Gradient, INDArray> backprop = layer.backpropGradient(epsilon, noWorkspaces);

        Map<String, INDArray> expected = reference.gradients();
        assertClose(flat(reference.output()), flat(output), 1e-5, "output");
        for (String key : PARAMS) {
            assertClose(flat(expected.get(key)), flat(backprop.getFirst().getGradientFor(key)), 1e-5, key);
        }
        assertClose(flat(expected.get("x")), flat(backprop.getSecond()), 1e-5, "dx");
    }

    @ParameterizedTest(name = "layers {0}, batch {1}, steps {2}, dropout {3}")
    @CsvSource({"2,3,6,0.3", "3,2,4,0.5"})
    void dropoutMatchesTheSameDiffPath(int layers, int batch, int steps, double dropout) {
        MultiLayerNetwork stock = network(config(layers, dropout), true);
        MultiLayerNetwork fast = network(config(layers, dropout), false);
        setBatch(stock, batch, steps);
        setBatch(fast, batch, steps);

        // The same dropout masks: both paths draw them at the same point of the forward pass, on arrays of
        // the same layout, so the training loss is the same.
        Nd4j.getRandom().setSeed(7);
        stock.computeGradientAndScore();
        Nd4j.getRandom().setSeed(7);
        fast.computeGradientAndScore();
        assertEquals(stock.score(), fast.score(), 1e-5 * stock.score());
        // The output layer's own gradient depends on the last GRU layer's (dropped-out) h only.
        String outputWeights = (layers + 1) + "_W";
        assertClose(flat(stock.gradient().getGradientFor(outputWeights)), flat(fast.gradient().getGradientFor(outputWeights)),
                1e-5, outputWeights);
    }

    @Test
    void dropoutReachesTheUpperLayers() {
        // DL4J's SameDiff layer ignores a layer's input dropout; FastGruLayer applies it (layer 2's input).
        MultiLayerNetwork net = network(config(2, 0.5), false);
        INDArray features = CharNetwork.features(randomChars(3 * 5, 1), 3, 5);
        INDArray inference = net.feedForward(features, false).get(3);
        INDArray training = net.feedForward(features, true).get(3);
        assertFalse(inference.equalsWithEps(training, 1e-4), "layer 2's activations ignore dropout");
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int batch = 3;
        MultiLayerNetwork net = network(config(2, 0), false);
        setBatch(net, batch, 6);
        score(net);

        // Each GRU parameter array (Wx, Wh, b of both layers), probed at the entries with the largest gradients.
        float eps = 1e-2f;
        int checked = 0;
        for (int l = 1; l <= 2; l++) {
            for (String key : PARAMS) {
                float[] gradient = flat(net.gradient().getGradientFor(l + "_" + key));
                INDArray param = net.getLayer(l).getParam(key); // a view of the network's parameters
                long cols = param.size(1);
                for (int i : largest(gradient, 4)) {
                    long row = i / cols;
                    long col = i % cols;
                    float original = param.getFloat(row, col);
                    param.putScalar(row, col, original + eps);
                    double up = score(net);
                    param.putScalar(row, col, original - eps);
                    double down = score(net);
                    param.putScalar(row, col, original);
                    // The score is the batch mean; DL4J's gradient is the batch sum (its updater divides).
                    double numeric = batch * (up - down) / (2 * eps);
                    double analytic = gradient[i];
                    assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(analytic),
                            "layer " + l + " " + key + "[" + row + ", " + col + "]");
                    checked++;
                }
            }
        }
        assertEquals(24, checked);
    }

    /** Indices of the {@code count} entries of largest magnitude. */
    private static int[] largest(float[] values, int count) {
        return java.util.stream.IntStream.range(0, values.length).boxed()
                .sorted((a, b) -> Float.compare(Math.abs(values[b]), Math.abs(values[a])))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void twoLayersWithDropoutLearn() {
        NetworkChecks.assertLearnsToCount(config(2, 0.2));
    }
}
