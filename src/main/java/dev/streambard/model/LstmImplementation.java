package dev.streambard.model;

/**
 * Which code trains an LSTM network; both have the same parameters and give the same results. The choice
 * covers the output layer too ({@link FastRnnOutputLayer} or DL4J's), so STOCK is DL4J's code throughout.
 */
public enum LstmImplementation {
    /** DL4J's own layer ({@code LSTMHelpers}): step-by-step products, the forward pass run again for backprop. */
    STOCK,
    /** {@link FastLstmLayer}: whole-sequence products, the forward pass kept for backprop. */
    FAST
}
