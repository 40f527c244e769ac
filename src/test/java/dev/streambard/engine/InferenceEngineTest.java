package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.streambard.model.CellType;
import dev.streambard.model.CharNetwork;
import dev.streambard.model.ModelConfig;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class InferenceEngineTest {
    private static final int VOCAB = 11;
    private static final int STEPS = 12;

    /** The engine, stepping one character at a time, gives the network's full-sequence log-probabilities. */
    @ParameterizedTest(name = "{0} x{1}, batch {2}")
    @CsvSource({"LSTM,1,3", "LSTM,2,3", "GRU,1,3", "GRU,2,3", "LSTM,1,1", "GRU,2,1", "LSTM,2,20", "GRU,2,20"})
    void matchesTheDl4jNetwork(CellType cell, int layers, int batch) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 6, 9, layers, 0.0);
        MultiLayerNetwork net = CharNetwork.build(config, 1e-3, 42);
        perturbBiases(net);
        int[] inputs = randomChars(batch * STEPS, 7);
        INDArray probs = net.output(CharNetwork.features(inputs, batch, STEPS)); // [B, V, T]

        // Batch 1 and 3 take the engine's sgemv path, batch 20 sgemm and the two-thread gate arithmetic.
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(net, config));
        BatchState state = engine.newBatch(batch);
        for (int t = 0; t < STEPS; t++) {
            int[] chars = new int[batch];
            for (int b = 0; b < batch; b++) chars[b] = inputs[b * STEPS + t];
            engine.step(state, chars);
            float[] logits = state.logits();
            for (int b = 0; b < batch; b++) {
                double[] expected = new double[VOCAB];
                double[] actual = logSoftmax(logits, b * VOCAB, VOCAB);
                for (int v = 0; v < VOCAB; v++) expected[v] = Math.log(probs.getDouble(b, v, t));
                assertArrayEquals(expected, actual, 1e-4, cell + " layers=" + layers + " b=" + b + " t=" + t);
            }
        }
    }

    /**
     * Products split into column blocks over the engine's workers give the logits of one OpenBLAS call
     * (bit for bit through sgemv; sgemm on a narrower block may round the last bit differently) and the
     * network's, and the same on every run. 256 units: 1024 (LSTM) or 768 (GRU) gate columns, 8 or 6
     * blocks; batch 1 takes the sgemv path (a block per thread), batches 3, 8 and 64 the packed kernel where
     * it is built (sgemm otherwise): 3 rows fill half of one 6-row tile, 8 a tile and a third of another.
     */
    @ParameterizedTest(name = "{0}, batch {1}")
    @CsvSource({"LSTM,1", "LSTM,3", "LSTM,8", "LSTM,64", "GRU,1", "GRU,3", "GRU,8", "GRU,64"})
    void splitProductsGiveTheSameResults(CellType cell, int batch) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 6, 256, 2, 0.0);
        MultiLayerNetwork net = CharNetwork.build(config, 1e-3, 5);
        perturbBiases(net);
        int[] inputs = randomChars(batch * STEPS, 8);
        INDArray probs = net.output(CharNetwork.features(inputs, batch, STEPS)); // [B, V, T]
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(net, config));
        float[][] whole = logitsPerStep(engine, inputs, batch);
        float[][] split;
        float[][] again;
        InferenceEngine.splitProducts(true);
        try {
            split = logitsPerStep(engine, inputs, batch);
            again = logitsPerStep(engine, inputs, batch);
        } finally {
            InferenceEngine.splitProducts(false);
        }
        for (int t = 0; t < STEPS; t++) {
            assertArrayEquals(split[t], again[t], "t=" + t);
            if (batch == 1) assertArrayEquals(whole[t], split[t], "t=" + t);
            else assertArrayEquals(whole[t], split[t], 1e-4f, "t=" + t);
            for (int b = 0; b < batch; b++) {
                double[] expected = new double[VOCAB];
                for (int v = 0; v < VOCAB; v++) expected[v] = Math.log(probs.getDouble(b, v, t));
                // 3e-4: at 256 units the unsplit engine too drifts up to 1.2e-4 from the network by step 10 (GRU, batch 64)
                assertArrayEquals(expected, logSoftmax(split[t], b * VOCAB, VOCAB), 3e-4, "b=" + b + " t=" + t);
            }
        }
    }

    /**
     * A step with work to overlap runs it once, on the caller, and computes the same logits, whether the
     * products are split (the work overlaps the first product) or not (it runs before the step).
     */
    @ParameterizedTest(name = "split {0}")
    @CsvSource({"true", "false"})
    void aStepRunsTheOverlappedWorkOnceAndComputesTheSame(boolean split) {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 6, 256, 1, 0.0);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 3), config));
        int batch = 64;
        int[] inputs = randomChars(batch * STEPS, 9);
        float[][] plain = logitsPerStep(engine, inputs, batch);
        InferenceEngine.splitProducts(split);
        try {
            BatchState state = engine.newBatch(batch);
            for (int t = 0; t < STEPS; t++) {
                int[] chars = new int[batch];
                for (int b = 0; b < batch; b++) chars[b] = inputs[b * STEPS + t];
                java.util.List<Thread> ranOn = new java.util.ArrayList<>();
                engine.step(state, chars, () -> ranOn.add(Thread.currentThread()));
                assertEquals(java.util.List.of(Thread.currentThread()), ranOn, "t=" + t);
                assertArrayEquals(plain[t], state.logits(), 1e-4f, "t=" + t);
            }
        } finally {
            InferenceEngine.splitProducts(false);
        }
    }

    private static float[][] logitsPerStep(InferenceEngine engine, int[] inputs, int batch) {
        BatchState state = engine.newBatch(batch);
        float[][] out = new float[STEPS][];
        for (int t = 0; t < STEPS; t++) {
            int[] chars = new int[batch];
            for (int b = 0; b < batch; b++) chars[b] = inputs[b * STEPS + t];
            engine.step(state, chars);
            out[t] = state.logits();
        }
        return out;
    }

    /**
     * An LSTM on the native cell (h and c in native memory, the cell on the product's output in place) computes what
     * the heap version does, step by step, and its states move between batches of either kind: batch 1 and 3 take
     * the sgemv path with the cell on one thread, batch 20 the packed products and cell blocks on both threads.
     */
    @ParameterizedTest(name = "{0} layers, {1} units, batch {2}")
    @CsvSource({"1,9,1", "2,9,3", "2,64,20", "1,256,20"})
    void theNativeCellComputesWhatTheHeapCellDoes(int layers, int units, int batch) {
        org.junit.jupiter.api.Assumptions.assumeTrue(LstmCellKernel.available(), "the native cell is not built here");
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 6, units, layers, 0.0);
        MultiLayerNetwork net = CharNetwork.build(config, 1e-3, 8);
        perturbBiases(net);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(net, config));
        BatchState onNative = new BatchState(config, batch, true);
        BatchState onHeap = new BatchState(config, batch, false);
        int[] inputs = randomChars(batch * STEPS, 9);
        for (int t = 0; t < STEPS; t++) {
            int[] chars = new int[batch];
            for (int b = 0; b < batch; b++) chars[b] = inputs[b * STEPS + t];
            engine.step(onNative, chars);
            engine.step(onHeap, chars);
            assertArrayEquals(onHeap.logits(), onNative.logits(), 1e-4f, "step " + t); // FMA rounds differently: ~1e-5 after 12 steps
            for (int b = 0; b < batch; b++) assertStatesClose(onHeap.snapshot(b), onNative.snapshot(b));
            if (t == STEPS / 2) { // swap the last session's state across: each kind continues from the other's
                int last = batch - 1;
                RecurrentState fromNative = onNative.snapshot(last);
                onNative.load(last, onHeap.snapshot(last));
                onHeap.load(last, fromNative);
            }
        }
    }

    private static void assertStatesClose(RecurrentState expected, RecurrentState actual) {
        for (int l = 0; l < expected.layers(); l++) {
            assertArrayEquals(expected.h()[l], actual.h()[l], 1e-4f, "h, layer " + l);
            assertArrayEquals(expected.c()[l], actual.c()[l], 1e-4f, "c, layer " + l);
        }
    }

    @Test
    void snapshotAndLoadContinueASessionExactly() {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 4, 5, 2, 0.0);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 1), config));
        BatchState a = engine.newBatch(2);
        engine.step(a, new int[]{1, 2});
        engine.step(a, new int[]{3, 4});
        RecurrentState row1 = a.snapshot(1);

        BatchState b = engine.newBatch(1);
        b.load(0, row1);
        engine.step(b, new int[]{5});
        engine.step(a, new int[]{0, 5});
        float[] all = a.logits();
        float[] alone = b.logits();
        for (int v = 0; v < VOCAB; v++) assertEquals(all[VOCAB + v], alone[v], 1e-6);
        assertEquals(row1, new RecurrentState(row1.h(), row1.c()));
    }

    /** Loading one row of a batch leaves the other rows' states as they were. */
    @Test
    void loadingARowKeepsTheOthers() {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 4, 5, 2, 0.0);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 1), config));
        BatchState a = engine.newBatch(3);
        engine.step(a, new int[]{1, 2, 3});
        RecurrentState row0 = a.snapshot(0);
        RecurrentState row2 = a.snapshot(2);
        BatchState b = engine.newBatch(3);
        b.load(2, row2);
        b.load(0, row0);
        engine.step(a, new int[]{4, 5, 6});
        engine.step(b, new int[]{4, 0, 6});
        float[] all = a.logits();
        float[] loaded = b.logits();
        for (int row : new int[]{0, 2}) {
            for (int v = 0; v < VOCAB; v++) assertEquals(all[row * VOCAB + v], loaded[row * VOCAB + v], 1e-6);
        }
    }

    /** Rejected inputs change nothing: the batch steps on afterwards as if they had never come (LSTM: the native cell where built). */
    @ParameterizedTest
    @CsvSource({"GRU", "LSTM"})
    void rejectsInputsThatDoNotFitTheBatchOrVocabularyAndKeepsTheState(CellType cell) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 4, 5, 1, 0.0);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 1), config));
        BatchState s = engine.newBatch(2);
        BatchState untouched = engine.newBatch(2);
        engine.step(s, new int[]{1, 2});
        engine.step(untouched, new int[]{1, 2});
        assertThrows(IllegalArgumentException.class, () -> engine.step(s, new int[]{1}));
        assertThrows(IllegalArgumentException.class, () -> engine.step(s, new int[]{1, VOCAB}));
        assertThrows(IllegalArgumentException.class, () -> engine.step(s, new int[]{-1, 0}));
        assertArrayEquals(untouched.logits(), s.logits());
        engine.step(s, new int[]{3, 4});
        engine.step(untouched, new int[]{3, 4});
        assertArrayEquals(untouched.logits(), s.logits());
        assertEquals(untouched.snapshot(1), s.snapshot(1));
    }

    private static void perturbBiases(MultiLayerNetwork net) {
        // Biases start at zero (or one, for LSTM forget gates); random ones make a gate-order mix-up visible.
        Random r = new Random(3);
        INDArray p = net.params();
        for (long i = 0; i < p.length(); i++) p.putScalar(i, p.getDouble(i) + 0.3 * r.nextGaussian());
        net.setParams(p);
    }

    private static int[] randomChars(int n, long seed) {
        Random r = new Random(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(VOCAB);
        return a;
    }

    static double[] logSoftmax(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[from + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[from + i] - max);
        double log = Math.log(sum) + max;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = x[from + i] - log;
        return out;
    }
}
