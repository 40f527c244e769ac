package dev.streambard.model;

import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.text.Batch;
import dev.streambard.text.Windows;
import java.util.List;

/**
 * The epoch loop: shuffled batches through Adam, held-out loss after each epoch, a checkpoint per epoch,
 * early stopping after {@code patience} epochs without improvement.
 */
public final class Trainer {

    /** Observes progress; called on the training thread. */
    public interface Listener {
        void batchDone(int epoch, int batch, int batches, double meanLoss, double charsPerSecond);

        void epochDone(EpochMetrics metrics, boolean best, boolean stopping);
    }

    private final CharModel model;
    private final Windows train;
    private final Windows validation;
    private final Listener listener;

    public Trainer(CharModel model, Windows train, Windows validation, Listener listener) {
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.listener = listener;
    }

    /** Trains from {@code progress} up to the configured epochs or early stop; returns where it ended. */
    public TrainingProgress run(TrainingProgress progress, RunDirectory run) {
        TrainingConfig cfg = model.training();
        List<Batch> heldOut = validation.orderedBatches(cfg.batchSize());
        while (progress.epoch() < cfg.epochs() && progress.epochsWithoutImprovement() < cfg.patience()) {
            int epoch = progress.epoch() + 1;
            List<Batch> batches = train.shuffledBatches(cfg.batchSize(), cfg.seed(), epoch);
            long start = System.nanoTime();
            long chars = 0;
            double lossSum = 0;
            for (int i = 0; i < batches.size(); i++) {
                Batch b = batches.get(i);
                lossSum += model.fit(b);
                chars += b.characters();
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.batchDone(epoch, i + 1, batches.size(), lossSum / (i + 1), chars / seconds);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!Double.isFinite(lossSum)) {
                throw new TrainingDivergedException("the training loss became " + lossSum + " in epoch " + epoch
                        + "; lower --lr (now " + cfg.learningRate() + ") and start again, or --resume from the last good epoch");
            }
            double validationLoss = model.evaluate(heldOut);
            EpochMetrics m = new EpochMetrics(epoch, lossSum / batches.size(), validationLoss, chars / seconds, seconds);
            progress = progress.after(m, model.iteration());
            run.save(model.toCheckpoint(progress));
            boolean stopping = progress.epoch() >= cfg.epochs() || progress.epochsWithoutImprovement() >= cfg.patience();
            listener.epochDone(m, progress.lastEpochWasBest(), stopping);
        }
        return progress;
    }
}
