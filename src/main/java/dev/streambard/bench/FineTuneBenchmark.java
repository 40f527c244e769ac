package dev.streambard.bench;

import dev.streambard.ingest.FineTuning;
import dev.streambard.model.CharModel;
import dev.streambard.text.Batch;
import dev.streambard.text.CorpusSplit;
import dev.streambard.text.Windows;
import java.util.Arrays;
import java.util.List;

/**
 * Fine-tuning against offline training on the same model and corpus, alternating in one process: an
 * offline stretch (shuffled batches through {@link CharModel#fit}, as {@code train} runs them) and a
 * fine-tuning round on a slice of the corpus as new text (with replay and the gate's evaluations).
 */
public final class FineTuneBenchmark {
    /**
     * @param trainingCharsPerSecond the round's training part alone
     * @param roundCharsPerSecond    training characters over the whole round: copy, training, gate evaluations
     */
    public record Result(double offlineCharsPerSecond, double trainingCharsPerSecond, double roundCharsPerSecond, long roundCharacters) {
    }

    private FineTuneBenchmark() {
    }

    public static Result run(CharModel model, int[] corpus, int newChars, int offlineBatches) {
        var training = model.training();
        CorpusSplit split = CorpusSplit.of(corpus, training.validationFraction());
        List<Batch> batches = new Windows(split.train(), training.seqLen()).shuffledBatches(training.batchSize(), 1, 1);
        model.fit(batches.get(0)); // warm-up: JIT and native allocations
        long start = System.nanoTime();
        long chars = 0;
        for (int i = 1; i <= offlineBatches; i++) {
            model.fit(batches.get(i));
            chars += batches.get(i).characters();
        }
        double offline = chars / ((System.nanoTime() - start) / 1e9);

        FineTuning fineTuning = new FineTuning(new FineTuning.Settings(1, 1.0, 0.1, 64), training, corpus);
        int from = split.train().length / 2; // new text from the middle of the corpus
        int[] newText = Arrays.copyOfRange(split.train(), from, from + newChars);
        long roundStart = System.nanoTime();
        FineTuning.Round r = fineTuning.run(model, 0, newText, 1, (b, n, loss, cps) -> { });
        double round = r.characters() / ((System.nanoTime() - roundStart) / 1e9);
        return new Result(offline, r.charsPerSecond(), round, r.characters());
    }
}
