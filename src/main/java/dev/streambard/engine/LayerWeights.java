package dev.streambard.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One recurrent layer's weights, copied out of the trained network. G = gate blocks (4 for LSTM, 3 for GRU).
 *
 * @param input     x·W: [in, G*H]
 * @param recurrent h·W: [H, G*H]
 * @param bias      [1, G*H]
 */
record LayerWeights(INDArray input, INDArray recurrent, INDArray bias) {
}
