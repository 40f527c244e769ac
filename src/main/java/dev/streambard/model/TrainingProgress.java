package dev.streambard.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run stands after {@code epoch} completed epochs: enough to resume it exactly and to
 * decide early stopping.
 */
public record TrainingProgress(int epoch, int iteration, int bestEpoch, double bestValidationLoss,
                               List<EpochMetrics> history) {

    public static TrainingProgress start() {
        return new TrainingProgress(0, 0, 0, Double.POSITIVE_INFINITY, List.of());
    }

    public TrainingProgress {
        history = List.copyOf(history);
    }

    public TrainingProgress after(EpochMetrics m, int iterationNow) {
        List<EpochMetrics> h = new ArrayList<>(history);
        h.add(m);
        boolean improved = m.validationLoss() < bestValidationLoss; // false for NaN
        return new TrainingProgress(m.epoch(), iterationNow, improved ? m.epoch() : bestEpoch,
                improved ? m.validationLoss() : bestValidationLoss, h);
    }

    public boolean lastEpochWasBest() {
        return epoch > 0 && bestEpoch == epoch;
    }

    public int epochsWithoutImprovement() {
        return epoch - bestEpoch;
    }
}
