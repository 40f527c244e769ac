package dev.streambard.model;

/**
 * The shape of a character model: Embedding(vocab, embedding) → layers × cell(units) → Dense(vocab).
 * Validated on construction, so an invalid shape never reaches DL4J.
 */
public record ModelConfig(CellType cell, int vocabSize, int embedding, int units, int layers, double dropout) {

    public ModelConfig {
        if (cell == null) throw new InvalidConfigException("cell must be lstm or gru");
        require(vocabSize >= 2, "vocabulary must have at least 2 characters, got " + vocabSize);
        require(embedding >= 1 && embedding <= 65_536, "--embedding must be in 1..65536, got " + embedding);
        require(units >= 1 && units <= 65_536, "--units must be in 1..65536, got " + units);
        require(layers >= 1 && layers <= 16, "--layers must be in 1..16, got " + layers);
        require(dropout >= 0 && dropout < 1, "--dropout must be in [0, 1), got " + dropout);
    }

    /** Input width of recurrent layer {@code layer} (0-based). */
    public int inputSize(int layer) {
        return layer == 0 ? embedding : units;
    }

    public ModelConfig withVocabSize(int size) {
        return new ModelConfig(cell, size, embedding, units, layers, dropout);
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new InvalidConfigException(message);
    }
}
