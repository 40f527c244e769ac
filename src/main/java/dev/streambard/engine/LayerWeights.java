package dev.streambard.engine;

/**
 * One recurrent layer's weights as DL4J lays them out (G = gate blocks: 4 for LSTM, 3 for GRU).
 *
 * @param input     Wx [in, G*H]; null for layer 0, whose input projection is a table lookup
 * @param recurrent Wh [H, G*H]
 * @param bias      [G*H]; zeros for layer 0, whose bias is inside the table
 * @param biasRow   the bias as a native [1, G*H] matrix, for the native LSTM cell; null for layer 0
 */
record LayerWeights(NativeMatrix input, NativeMatrix recurrent, float[] bias, NativeMatrix biasRow) {
}
