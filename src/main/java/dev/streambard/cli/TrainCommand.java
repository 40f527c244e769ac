package dev.streambard.cli;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.model.CharModel;
import dev.streambard.model.EpochMetrics;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.model.Trainer;
import dev.streambard.text.Corpus;
import dev.streambard.text.CorpusException;
import dev.streambard.text.CorpusSplit;
import dev.streambard.text.Vocabulary;
import dev.streambard.text.Windows;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a character model on a corpus; writes a checkpoint per epoch into --out "
                + "(BEST and LAST name the best and the latest).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--corpus", paramLabel = "PATH|URL",
            description = "Training text (UTF-8). Default: the tutorial's Tiny Shakespeare, downloaded once and cached.")
    String corpus;

    @Option(names = "--cache-dir", description = "Where downloaded corpora are kept. Default: $STREAMBARD_CACHE or ~/.cache/streambard.")
    Path cacheDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder for checkpoints.")
    Path out;

    @Mixin
    ModelOptions model;

    @Option(names = "--seq-len", defaultValue = "100", description = "Characters per training window. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--batch", defaultValue = "64", description = "Windows per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--epochs", defaultValue = "10", description = "Maximum epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--patience", defaultValue = "3",
            description = "Stop after this many epochs without a better held-out loss. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--validation", defaultValue = "0.1",
            description = "Fraction at the end of the corpus held out for validation. Default: ${DEFAULT-VALUE}.")
    double validation;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initial weights and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--json", description = "Also print one JSON line per epoch on standard output.")
    boolean json;

    @Override
    public Integer call() {
        RunDirectory run = new RunDirectory(out);
        if (!resume && run.hasCheckpoint()) {
            throw new UserException(out + " already holds a training run; pass --resume to continue it, or choose another --out");
        }
        if (resume && !run.hasCheckpoint()) {
            throw new UserException("nothing to resume: " + out + " holds no checkpoint (no " + RunDirectory.LAST + " file)");
        }
        Checkpoint previous = resume ? CheckpointFiles.read(run.last(), true) : null;
        String text = Corpus.load(corpus, cacheDir == null ? Corpus.defaultCacheDir() : cacheDir);

        CharModel charModel;
        TrainingProgress progress;
        if (previous == null) {
            TrainingConfig training = new TrainingConfig(seqLen, batch, model.learningRate(), epochs, patience, validation, seed);
            Vocabulary vocabulary = Vocabulary.fromText(text);
            charModel = CharModel.create(model.toConfig(vocabulary.size()), training, vocabulary);
            progress = TrainingProgress.start();
        } else {
            Checkpoint cp = new Checkpoint(previous.model(), previous.training().withEpochs(epochs), previous.vocabulary(),
                    previous.progress(), previous.params(), previous.optimizerState());
            charModel = CharModel.from(cp);
            progress = cp.progress();
        }
        TrainingConfig training = charModel.training();
        int[] encoded = charModel.vocabulary().encode(text); // on resume: the corpus must fit the frozen vocabulary
        CorpusSplit split = CorpusSplit.of(encoded, training.validationFraction());
        Windows trainWindows = windows(split.train(), training.seqLen(), "training part");
        Windows heldOut = windows(split.validation(), training.seqLen(), "held-out part (--validation)");

        PrintStream err = System.err;
        err.printf(Locale.ROOT, "%s model, %,d parameters, %d characters in the vocabulary; %,d training and %,d held-out windows of %d%n",
                charModel.config().cell(), charModel.parameterCount(), charModel.vocabulary().size(),
                trainWindows.count(), heldOut.count(), training.seqLen());
        if (previous != null) err.printf("resuming after epoch %d%n", progress.epoch());
        ProgressBar bar = new ProgressBar(err, training.epochs(), (long) training.batchSize() * training.seqLen(),
                System.console() != null);
        Trainer.Listener listener = json ? new JsonLines(bar) : bar;
        TrainingProgress end = new Trainer(charModel, trainWindows, heldOut, listener).run(progress, run);
        if (!run.hasBest()) {
            throw new UserException("no epoch produced a finite held-out loss; nothing to use as the best model in " + out);
        }
        err.printf(Locale.ROOT, "done after epoch %d: best held-out loss %.4f at epoch %d; checkpoint %s%n",
                end.epoch(), end.bestValidationLoss(), end.bestEpoch(), run.best());
        return 0;
    }

    private static Windows windows(int[] sequence, int seqLen, String what) {
        try {
            return new Windows(sequence, seqLen);
        } catch (CorpusException e) {
            throw new CorpusException("the " + what + " of the corpus is too short: " + e.getMessage());
        }
    }

    /** Forwards to the bar and prints each epoch as one JSON line. */
    private record JsonLines(Trainer.Listener bar) implements Trainer.Listener {
        @Override
        public void batchDone(int epoch, int batch, int batches, double meanLoss, double charsPerSecond) {
            bar.batchDone(epoch, batch, batches, meanLoss, charsPerSecond);
        }

        @Override
        public void epochDone(EpochMetrics m, boolean best, boolean stopping) {
            bar.epochDone(m, best, stopping);
            JsonLine.print("epoch", m.epoch(), "train_loss", JsonLine.round(m.trainLoss(), 4),
                    "val_loss", JsonLine.round(m.validationLoss(), 4), "chars_per_s", Math.round(m.charsPerSecond()),
                    "seconds", JsonLine.round(m.seconds(), 1), "best", best);
        }
    }
}
