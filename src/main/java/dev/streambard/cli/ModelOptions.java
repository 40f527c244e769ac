package dev.streambard.cli;

import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.Preset;
import picocli.CommandLine.Option;

/** Model-shape options shared by {@code train} and {@code bench}; unset ones come from the preset. */
final class ModelOptions {
    @Option(names = "--preset", description = "tutorial (Embedding 256, LSTM 1024, Adam 1e-3) or small "
            + "(Embedding 64, LSTM 256, Adam 2e-3). Default: ${DEFAULT-VALUE}.", defaultValue = "tutorial")
    Preset preset;

    @Option(names = "--cell", description = "lstm or gru. Default: lstm.")
    CellType cell;

    @Option(names = "--layers", description = "Stacked recurrent layers. Default: 1.")
    Integer layers;

    @Option(names = "--units", description = "Units per recurrent layer. Default: the preset's.")
    Integer units;

    @Option(names = "--embedding", description = "Embedding width. Default: the preset's.")
    Integer embedding;

    @Option(names = "--dropout", description = "Dropout between layers, in [0, 1). Default: 0.")
    Double dropout;

    @Option(names = "--lr", description = "Adam learning rate. Default: the preset's.")
    Double learningRate;

    ModelConfig toConfig(int vocabSize) {
        return new ModelConfig(cell == null ? CellType.LSTM : cell, vocabSize,
                embedding == null ? preset.embedding : embedding,
                units == null ? preset.units : units,
                layers == null ? 1 : layers,
                dropout == null ? 0.0 : dropout);
    }

    double learningRate() {
        return learningRate == null ? preset.learningRate : learningRate;
    }
}
