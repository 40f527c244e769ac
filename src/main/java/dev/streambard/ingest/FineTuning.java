package dev.streambard.ingest;

import dev.streambard.model.CharModel;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Batch;
import dev.streambard.text.CorpusSplit;
import dev.streambard.text.Windows;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One fine-tuning round: a copy of the current model trains on windows of the new text mixed with
 * windows replayed from the base corpus, then both models are measured on held-out base text and held-out
 * new text so the {@link Gate} can judge. Training goes through {@link CharModel#fit}, the same step
 * as offline {@code train}.
 */
public final class FineTuning {

    /**
     * @param epochs             passes over the round's training windows
     * @param replayRatio        base-corpus windows per new-text window
     * @param newHeldOutFraction share of the new text (its end) held out for the gate
     * @param baseWindows        base held-out windows the gate evaluates
     */
    public record Settings(int epochs, double replayRatio, double newHeldOutFraction, int baseWindows) {
    }

    /** Reports training progress; called on the training thread. */
    public interface Listener {
        void batchDone(int batch, int batches, double meanLoss, double charsPerSecond);
    }

    /** What a round produced; {@code before} is the current model's losses on the same held-out windows. */
    public record Round(CharModel candidate, Gate.Losses before, Gate.Losses after, double trainingLoss,
                        long characters, double charsPerSecond) {
    }

    private final Settings settings;
    private final TrainingConfig training;
    private final int[] baseTrain;           // encoded base corpus, training part
    private final List<Batch> baseHeldOut;   // the gate's fixed base-corpus windows

    public FineTuning(Settings settings, TrainingConfig training, int[] baseEncoded) {
        this.settings = settings;
        this.training = training;
        CorpusSplit split = CorpusSplit.of(baseEncoded, training.validationFraction());
        int window = training.seqLen() + 1;
        if (split.train().length < window || split.validation().length < window) {
            throw new IllegalArgumentException("the base corpus is too short to replay and to judge candidates: it needs at least "
                    + window + " characters in its training part and in its held-out part (--validation "
                    + training.validationFraction() + "), has " + split.train().length + " and " + split.validation().length);
        }
        this.baseTrain = split.train();
        int[] judged = Arrays.copyOf(split.validation(), Math.min(split.validation().length, settings.baseWindows() * window));
        this.baseHeldOut = new Windows(judged, training.seqLen()).orderedBatches(training.batchSize());
    }

    /** New text needed for a round: one training and one held-out window. */
    public int minimumCharacters() {
        return 2 * (training.seqLen() + 1);
    }

    /** The current model's held-out base-corpus loss; constant for a model, so callers may keep it. */
    public double baseLoss(CharModel model) {
        return model.evaluate(baseHeldOut);
    }

    /**
     * Trains a copy of {@code current} on {@code newText} (vocabulary indices) plus replayed base windows.
     *
     * @param currentBaseLoss {@link #baseLoss} of {@code current}
     * @param seed            makes the replay choice and the shuffling repeatable
     */
    public Round run(CharModel current, double currentBaseLoss, int[] newText, long seed, Listener listener) {
        int window = training.seqLen() + 1;
        if (newText.length < minimumCharacters()) {
            throw new IllegalArgumentException("a round needs at least " + minimumCharacters() + " new characters, got " + newText.length);
        }
        // The end is held out, at least one window of it, and at least one window is left to train on.
        int cut = Math.max(window, Math.min(newText.length - window, (int) (newText.length * (1 - settings.newHeldOutFraction()))));
        int[] newTrain = Arrays.copyOf(newText, cut);
        List<Batch> newHeldOut = new Windows(Arrays.copyOfRange(newText, cut, newText.length), training.seqLen())
                .orderedBatches(training.batchSize());
        Windows mixed = new Windows(withReplay(newTrain, seed), training.seqLen());

        CharModel candidate = current.copy();
        long chars = 0;
        double lossSum = 0;
        int done = 0;
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            List<Batch> batches = mixed.shuffledBatches(training.batchSize(), seed, epoch);
            for (Batch b : batches) {
                lossSum += candidate.fit(b);
                chars += b.characters();
                done++;
                listener.batchDone(done, batches.size() * settings.epochs(), lossSum / done, chars / ((System.nanoTime() - start) / 1e9));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Gate.Losses before = new Gate.Losses(currentBaseLoss, current.evaluate(newHeldOut));
        Gate.Losses after = new Gate.Losses(candidate.evaluate(baseHeldOut), candidate.evaluate(newHeldOut));
        return new Round(candidate, before, after, done == 0 ? Double.NaN : lossSum / done, chars, chars / seconds);
    }

    /**
     * The new text cut into whole windows, followed by {@code replayRatio} as many windows taken at random
     * places in the base corpus: {@link Windows} cuts the result back into exactly those windows.
     */
    private int[] withReplay(int[] newTrain, long seed) {
        int window = training.seqLen() + 1;
        int newWindows = newTrain.length / window;
        int replay = (int) Math.round(newWindows * settings.replayRatio());
        int[] out = new int[(newWindows + replay) * window];
        System.arraycopy(newTrain, 0, out, 0, newWindows * window);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int r = 0; r < replay; r++) {
            int from = random.nextInt(baseTrain.length - window + 1);
            System.arraycopy(baseTrain, from, out, (newWindows + r) * window, window);
        }
        return out;
    }
}
