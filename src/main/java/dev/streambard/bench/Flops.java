package dev.streambard.bench;

import dev.streambard.model.ModelConfig;

/** Arithmetic per character, counted as the yardstick counts it (multiply-add = 2 FLOP). */
final class Flops {
    private Flops() {
    }

    /** Forward pass per character: each layer's gate products plus the output layer. */
    static double forwardPerChar(ModelConfig c) {
        double f = 2.0 * c.units() * c.vocabSize();
        for (int l = 0; l < c.layers(); l++) f += 2.0 * c.cell().gates * c.units() * (c.inputSize(l) + c.units());
        return f;
    }
}
