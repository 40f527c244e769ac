package dev.streambard.model;

/** How a model is trained: the tutorial's data pipeline and Adam settings, plus early stopping. */
public record TrainingConfig(int seqLen, int batchSize, double learningRate, int epochs, int patience,
                             double validationFraction, long seed) {

    public static final int DEFAULT_SEQ_LEN = 100;
    public static final int DEFAULT_BATCH = 64;
    public static final double DEFAULT_VALIDATION = 0.1;

    public TrainingConfig {
        ModelConfig.require(seqLen >= 1 && seqLen <= 10_000, "--seq-len must be in 1..10000, got " + seqLen);
        ModelConfig.require(batchSize >= 1 && batchSize <= 4096, "--batch must be in 1..4096, got " + batchSize);
        ModelConfig.require(learningRate > 0 && learningRate < 1, "--lr must be in (0, 1), got " + learningRate);
        ModelConfig.require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        ModelConfig.require(patience >= 1, "--patience must be at least 1, got " + patience);
        ModelConfig.require(validationFraction > 0 && validationFraction <= 0.5,
                "--validation must be in (0, 0.5], got " + validationFraction);
    }

    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(seqLen, batchSize, learningRate, n, patience, validationFraction, seed);
    }
}
