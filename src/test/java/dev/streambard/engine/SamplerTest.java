package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {
    private static final float[] LOGITS = {0.5f, -1.25f, 2.0f, 0.75f, 1.5f, -0.3f, 1.0f};

    /** Slow reference: softmax(logits / T) without max-subtraction, fine for small logits. */
    private static double[] referenceSoftmax(float[] logits, double temperature) {
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] / temperature);
            sum += e[i];
        }
        for (int i = 0; i < e.length; i++) e[i] /= sum;
        return e;
    }

    private static double[] probs(float[] logits, double temperature, int topK) {
        return Sampler.probabilities(logits, 0, logits.length, new SamplingParams(temperature, topK, false));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.3, 0.7, 1.0, 1.8, 5.0})
    void probabilitiesAreSoftmaxOfLogitsOverTemperature(double temperature) {
        assertArrayEquals(referenceSoftmax(LOGITS, temperature), probs(LOGITS, temperature, 0), 1e-12);
    }

    @Test
    void readsOnlyTheRowAtTheOffset() {
        float[] rows = new float[3 + LOGITS.length + 2];
        System.arraycopy(LOGITS, 0, rows, 3, LOGITS.length);
        rows[0] = 100; // outside the row; would dominate if read
        rows[rows.length - 1] = 100;
        double[] actual = Sampler.probabilities(rows, 3, LOGITS.length, new SamplingParams(0.9, 0, false));
        assertArrayEquals(referenceSoftmax(LOGITS, 0.9), actual, 1e-12);
    }

    @Test
    void lowTemperatureApproachesOneHotOnTheArgmax() {
        double[] p = probs(LOGITS, 1e-3, 0);
        assertEquals(1.0, p[2], 1e-12);
        for (int i = 0; i < p.length; i++) if (i != 2) assertEquals(0.0, p[i], 1e-12);
    }

    @Test
    void highTemperatureApproachesUniform() {
        for (double v : probs(LOGITS, 1e4, 0)) assertEquals(1.0 / LOGITS.length, v, 1e-4);
    }

    @Test
    void topKKeepsExactlyTheKLargestRenormalised() {
        int k = 3;
        double[] p = probs(LOGITS, 0.8, k);
        // The three largest logits are 2.0 (index 2), 1.5 (4), 1.0 (6).
        int[] kept = {2, 4, 6};
        double sum = 0;
        for (int i : kept) sum += Math.exp(LOGITS[i] / 0.8);
        double[] expected = new double[LOGITS.length];
        for (int i : kept) expected[i] = Math.exp(LOGITS[i] / 0.8) / sum;
        assertArrayEquals(expected, p, 1e-12);
        int nonZero = 0;
        for (double v : p) if (v > 0) nonZero++;
        assertEquals(k, nonZero);
    }

    @Test
    void topKBreaksTiesAtTheThresholdByLowestIndex() {
        float[] tied = {1f, 3f, 3f, 3f, 0f};
        double[] p = probs(tied, 1.0, 2);
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0, 0}, p, 1e-12);
    }

    @Test
    void topKEqualToVocabularyChangesNothing() {
        assertArrayEquals(probs(LOGITS, 1.3, 0), probs(LOGITS, 1.3, LOGITS.length), 0);
    }

    @Test
    void topOneIsGreedy() {
        for (double u : new double[] {0, 0.5, 0.999}) {
            assertEquals(2, Sampler.sample(LOGITS, 0, LOGITS.length, new SamplingParams(1.0, 1, false), u));
        }
    }

    @Test
    void greedyTakesTheArgmaxWhateverU() {
        SamplingParams greedy = new SamplingParams(1.0, 0, true);
        for (double u : new double[] {0, 0.3, 0.999}) {
            assertEquals(2, Sampler.sample(LOGITS, 0, LOGITS.length, greedy, u));
        }
        double[] oneHot = new double[LOGITS.length];
        oneHot[2] = 1;
        assertArrayEquals(oneHot, Sampler.probabilities(LOGITS, 0, LOGITS.length, greedy), 0);
    }

    @Test
    void greedyTakesTheLowestIndexOnTies() {
        float[] tied = {0f, 4f, 1f, 4f};
        assertEquals(1, Sampler.sample(tied, 0, tied.length, new SamplingParams(1.0, 0, true), 0.9));
    }

    @ParameterizedTest
    @CsvSource({"0.0,0", "0.1,0", "0.1999,0", "0.2,1", "0.5,1", "0.69,1", "0.7,2", "0.85,2", "0.999,2"})
    void inverseCdfPicksTheIntervalContainingU(double u, int expected) {
        assertEquals(expected, Sampler.pick(new double[] {0.2, 0.5, 0.3}, u));
    }

    @Test
    void inverseCdfSkipsZerosAndGivesTheRoundingTailToTheLastKeptIndex() {
        double[] p = {0, 0.25, 0, 0.7499999, 0};
        assertEquals(1, Sampler.pick(p, 0.0));
        assertEquals(3, Sampler.pick(p, 0.3));
        assertEquals(3, Sampler.pick(p, 0.99999999));
    }

    @ParameterizedTest
    @CsvSource({"0.1,0", "0.3,1", "0.65,1", "0.75,2", "0.99,2"})
    void sampleUsesTheInverseCdfOfTheSoftmax(double u, int expected) {
        // log-probabilities of [0.2, 0.5, 0.3], so softmax gives those back at T = 1
        float[] logits = {(float) Math.log(0.2), (float) Math.log(0.5), (float) Math.log(0.3)};
        assertEquals(expected, Sampler.sample(logits, 0, 3, SamplingParams.defaults(), u));
    }

    @Test
    void frequenciesOfSeededSamplesMatchTheProbabilities() {
        SamplingParams p = new SamplingParams(0.8, 5, false);
        double[] expected = Sampler.probabilities(LOGITS, 0, LOGITS.length, p);
        int n = 200_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < n; i++) {
            counts[Sampler.sample(LOGITS, 0, LOGITS.length, p, SampleRandom.uniform(7, "freq", i))]++;
        }
        // Standard deviation of a frequency is at most sqrt(0.25 / n) ≈ 0.0011.
        for (int i = 0; i < counts.length; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.005, "character " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-3, 1.0, 100.0})
    void extremeLogitsGiveAValidDistribution(double temperature) {
        float[] extreme = {1e4f, -1e4f, 9999.5f, 0f, -1e4f};
        double[] p = probs(extreme, temperature, 0);
        double sum = 0;
        for (double v : p) {
            assertFalse(Double.isNaN(v));
            assertTrue(v >= 0 && v <= 1);
            sum += v;
        }
        assertEquals(1.0, sum, 1e-12);
        assertTrue(p[0] > p[2]);
        int s = Sampler.sample(extreme, 0, extreme.length, new SamplingParams(temperature, 0, false), 0.5);
        assertTrue(s == 0 || s == 2, "sampled " + s);
    }

    @Test
    void equalExtremeLogitsGiveUniform() {
        float[] flat = {-1e4f, -1e4f, -1e4f, -1e4f};
        for (double v : probs(flat, 1e-3, 0)) assertEquals(0.25, v, 1e-12);
    }

    @Test
    void rejectsNonFiniteLogitsAndUOutsideTheUnitInterval() {
        float[] bad = {0f, Float.NaN, 1f};
        assertThrows(IllegalArgumentException.class, () -> Sampler.sample(bad, 0, 3, SamplingParams.defaults(), 0.5));
        assertThrows(IllegalArgumentException.class, () -> Sampler.sample(LOGITS, 0, 3, SamplingParams.defaults(), 1.0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sampler.sample(LOGITS, 5, 3, SamplingParams.defaults(), 0.5));
    }
}
