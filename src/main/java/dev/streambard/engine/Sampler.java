package dev.streambard.engine;

import java.util.Arrays;
import java.util.Objects;

/**
 * Picks the next character from one row of logits. Stateless: the randomness comes in as {@code u}
 * (see {@link SampleRandom}), so a sample is a pure function of logits, parameters and u.
 *
 * <p>Called once per generated character with a vocabulary of a few hundred, so it works on plain
 * arrays and allocates O(vocab) per call, which is small next to the recurrent step that made the logits.
 */
public final class Sampler {

    private Sampler() {
    }

    /**
     * @param logits row-major logits; this row is {@code logits[offset .. offset + vocab)}
     * @param u      uniform in [0, 1); ignored when greedy
     * @return a character index in [0, vocab)
     */
    public static int sample(float[] logits, int offset, int vocab, SamplingParams p, double u) {
        if (!(u >= 0 && u < 1)) throw new IllegalArgumentException("u must be in [0, 1), got " + u);
        if (p.greedy()) {
            checkRow(logits, offset, vocab);
            return argmax(logits, offset, vocab);
        }
        return pick(probabilities(logits, offset, vocab, p), u);
    }

    /**
     * The distribution {@link #sample} draws from: softmax(logits / T) over the top-k logits, zero
     * elsewhere; one-hot on the argmax when greedy.
     *
     * @return [vocab], summing to 1
     */
    public static double[] probabilities(float[] logits, int offset, int vocab, SamplingParams p) {
        checkRow(logits, offset, vocab);
        double[] probs = new double[vocab];
        if (p.greedy()) {
            probs[argmax(logits, offset, vocab)] = 1;
            return probs;
        }
        // Double precision: logits of ±1e4 at T = 1e-3 scale to ±1e7, far outside float's exact range for exp.
        for (int i = 0; i < vocab; i++) probs[i] = logits[offset + i] / p.temperature();
        if (p.topK() > 0 && p.topK() < vocab) keepTopK(probs, p.topK());
        softmaxInPlace(probs);
        return probs;
    }

    /** Inverse CDF: the first index whose cumulative probability exceeds u. */
    static int pick(double[] probs, double u) {
        double cumulative = 0;
        int lastKept = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] == 0) continue;
            cumulative += probs[i];
            lastKept = i;
            if (u < cumulative) return i;
        }
        // Rounding can leave the total just below 1 and u beyond it; the tail belongs to the last kept index.
        return lastKept;
    }

    /** Lowest index on ties, so greedy output does not depend on iteration details. */
    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) best = i;
        }
        return best;
    }

    /**
     * Sets all but the k largest scores to -∞. Of scores tied at the threshold, the lowest indices are
     * kept, so exactly k survive and the choice is deterministic.
     */
    private static void keepTopK(double[] scores, int k) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double threshold = sorted[scores.length - k];
        int tiesLeft = k;
        for (double s : scores) {
            if (s > threshold) tiesLeft--;
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] > threshold) continue;
            if (scores[i] == threshold && tiesLeft > 0) {
                tiesLeft--;
            } else {
                scores[i] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    /** Subtracting the max keeps every exponent ≤ 0, so nothing overflows and the max term is exactly 1. */
    private static void softmaxInPlace(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) max = Math.max(max, v);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) x[i] /= sum;
    }

    /** A NaN or infinite logit would turn the whole distribution into NaN; fail loudly instead. */
    private static void checkRow(float[] logits, int offset, int vocab) {
        if (vocab < 1) throw new IllegalArgumentException("vocab must be >= 1, got " + vocab);
        Objects.checkFromIndexSize(offset, vocab, logits.length);
        for (int i = 0; i < vocab; i++) {
            if (!Float.isFinite(logits[offset + i])) {
                throw new IllegalArgumentException("logit " + i + " is not finite: " + logits[offset + i]);
            }
        }
    }
}
