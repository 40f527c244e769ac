package dev.streambard.ingest;

import java.util.Locale;

/**
 * Decides whether a fine-tuned candidate replaces the current model: its held-out loss on the base
 * corpus may not have risen by more than {@code baseMargin}, and its held-out loss on the new text
 * must have fallen by more than {@code newTextImprovement} (nats per character).
 */
public record Gate(double baseMargin, double newTextImprovement) {

    /** Held-out losses of one model, on the base corpus and on the round's new text. */
    public record Losses(double base, double newText) {
    }

    /** The verdict, with a reason a person can read in logs and events. */
    public record Decision(boolean promote, String reason) {
    }

    public Gate {
        if (!Double.isFinite(baseMargin) || !Double.isFinite(newTextImprovement)) {
            throw new IllegalArgumentException("gate thresholds must be finite numbers");
        }
    }

    public Decision judge(Losses before, Losses after) {
        String numbers = String.format(Locale.ROOT, "base held-out %.4f → %.4f (allowed rise %.4f), new-text held-out %.4f → %.4f "
                + "(required fall > %.4f)", before.base(), after.base(), baseMargin, before.newText(), after.newText(), newTextImprovement);
        if (!Double.isFinite(after.base()) || !Double.isFinite(after.newText())) {
            return new Decision(false, "the candidate's loss is not finite: " + numbers);
        }
        if (after.base() - before.base() > baseMargin) {
            return new Decision(false, "it forgot the base corpus: " + numbers);
        }
        if (!(before.newText() - after.newText() > newTextImprovement)) {
            return new Decision(false, "it did not learn the new text: " + numbers);
        }
        return new Decision(true, "passed: " + numbers);
    }
}
