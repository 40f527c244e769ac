package dev.streambard.engine;

/**
 * How the next character is chosen from the model's logits. Validated on construction so that a bad
 * request is rejected before it reaches the engine; messages name the CLI option a user would fix.
 *
 * @param temperature divides the logits before the softmax: below 1 sharpens, above 1 flattens; must be finite and > 0
 * @param topK        sample only among the {@code topK} most likely characters; 0 means no limit
 * @param greedy      always take the most likely character (temperature and top-k are then irrelevant)
 */
public record SamplingParams(double temperature, int topK, boolean greedy) {

    public SamplingParams {
        // Written as a positive test so that NaN fails it too.
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("--temperature must be > 0 (and finite), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0 (0 means no limit), got " + topK);
        }
    }

    /** Plain sampling from the model's distribution: temperature 1, no top-k, not greedy. */
    public static SamplingParams defaults() {
        return new SamplingParams(1.0, 0, false);
    }

    /** Top-k can only be checked once the model, and so the vocabulary size, is known. */
    public void checkAgainst(int vocabSize) {
        if (topK > vocabSize) {
            throw new IllegalArgumentException("--top-k must be between 1 and " + vocabSize
                    + " (the model has " + vocabSize + " characters), got " + topK);
        }
    }
}
