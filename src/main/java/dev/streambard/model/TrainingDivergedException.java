package dev.streambard.model;

/** Training produced a non-finite loss; the checkpoints written before it are kept and nothing newer is. */
public class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
