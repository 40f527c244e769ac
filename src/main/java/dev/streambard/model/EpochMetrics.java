package dev.streambard.model;

/** What one epoch measured; losses in nats per character. */
public record EpochMetrics(int epoch, double trainLoss, double validationLoss, double charsPerSecond, double seconds) {
}
