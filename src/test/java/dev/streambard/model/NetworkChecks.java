package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.text.Batch;
import dev.streambard.text.Vocabulary;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the fast recurrent layers' tests share: tiny random batches, comparisons, a learning check. */
final class NetworkChecks {
    /** The tests' vocabulary size. */
    static final int VOCAB = 11;

    private NetworkChecks() {
    }

    static int[] randomChars(int n, long seed) {
        Random r = new Random(seed);
        int[] chars = new int[n];
        for (int i = 0; i < n; i++) chars[i] = r.nextInt(VOCAB);
        return chars;
    }

    static float[] flat(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    /** Random inputs and targets, the same for every network given the same shape. */
    static void setBatch(MultiLayerNetwork net, int batch, int steps) {
        net.setInput(CharNetwork.features(randomChars(batch * steps, 1), batch, steps));
        net.setLabels(CharNetwork.oneHotLabels(randomChars(batch * steps, 2), batch, steps, VOCAB));
    }

    /** Relative closeness, with an absolute floor for entries near zero. */
    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double allowed = tolerance * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], allowed, what + "[" + i + "]");
        }
    }

    static double score(MultiLayerNetwork net) {
        net.computeGradientAndScore();
        return net.score();
    }

    /** A model of {@code config} (2 layers with dropout, say) learns a counting batch: the loss falls by over a nat. */
    static void assertLearnsToCount(ModelConfig config) {
        CharModel model = CharModel.create(config, new TrainingConfig(12, 4, 1e-2, 1, 1, 0.1, 0),
                Vocabulary.of(IntStream.range(0, VOCAB).map(i -> 'a' + i).toArray()));
        // Each sequence counts up through the vocabulary from its own start.
        int[] inputs = new int[4 * 12];
        int[] targets = new int[4 * 12];
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < 12; t++) {
                inputs[b * 12 + t] = (b * 3 + t) % VOCAB;
                targets[b * 12 + t] = (b * 3 + t + 1) % VOCAB;
            }
        }
        Batch batch = new Batch(4, 12, inputs, targets);
        double first = model.fit(batch);
        double last = first;
        for (int i = 0; i < 150; i++) last = model.fit(batch); // 60 left it ~1.1 nats down with dropout: too near the bar
        assertTrue(last < first - 1.0, "loss " + first + " → " + last);
        double withoutDropout = model.evaluate(List.of(batch));
        assertTrue(withoutDropout < first - 1.0, "loss without dropout " + withoutDropout);
    }
}
