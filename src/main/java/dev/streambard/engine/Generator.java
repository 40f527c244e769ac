package dev.streambard.engine;

import dev.streambard.text.Vocabulary;
import java.util.function.Consumer;

/**
 * Generates text for one session: feeds the seed through the engine (prefill), then samples one
 * character at a time. The random draw for the character at session position p is
 * {@link SampleRandom#uniform}(rngSeed, session, p), so the same request always gives the same text.
 */
public final class Generator {
    private final InferenceEngine engine;
    private final Vocabulary vocabulary;

    public Generator(InferenceEngine engine, Vocabulary vocabulary) {
        if (engine.config().vocabSize() != vocabulary.size()) {
            throw new IllegalArgumentException("the vocabulary does not belong to this model");
        }
        this.engine = engine;
        this.vocabulary = vocabulary;
    }

    /**
     * @param seed  non-empty text made of the model's characters
     * @param chars how many characters to generate, at least 1
     * @param out   receives each character (as a String: one code point) as soon as it is sampled
     */
    public void generate(String seed, int chars, SamplingParams params, long rngSeed, String session,
                         Consumer<String> out) {
        if (seed == null || seed.isEmpty()) throw new IllegalArgumentException("--seed must not be empty");
        if (chars < 1) throw new IllegalArgumentException("--chars must be at least 1, got " + chars);
        params.checkAgainst(vocabulary.size());
        int[] prompt = vocabulary.encode(seed); // names any unknown characters
        BatchState state = engine.newBatch(1);
        int[] input = new int[1];
        for (int ch : prompt) {
            input[0] = ch;
            engine.step(state, input);
        }
        long position = prompt.length;
        for (int i = 0; i < chars; i++, position++) {
            int next = Sampler.sample(state.logits(), 0, vocabulary.size(), params,
                    SampleRandom.uniform(rngSeed, session, position));
            out.accept(vocabulary.decode(next));
            if (i + 1 < chars) {
                input[0] = next;
                engine.step(state, input);
            }
        }
    }
}
