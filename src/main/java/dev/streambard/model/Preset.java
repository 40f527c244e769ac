package dev.streambard.model;

/** Named model shapes. {@code tutorial} is the TensorFlow recipe exactly; {@code small} learns fast on a CPU. */
public enum Preset {
    TUTORIAL(256, 1024, 1e-3),
    SMALL(64, 256, 2e-3);

    public final int embedding;
    public final int units;
    public final double learningRate;

    Preset(int embedding, int units, double learningRate) {
        this.embedding = embedding;
        this.units = units;
        this.learningRate = learningRate;
    }
}
