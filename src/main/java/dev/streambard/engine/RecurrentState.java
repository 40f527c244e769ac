package dev.streambard.engine;

import java.util.Arrays;

/**
 * One session's recurrent state as a plain value: h (and, for LSTM, c) per layer, each of length H.
 * The engine reads it into a batch row and hands back a fresh copy; nothing aliases engine buffers.
 *
 * @param h [layers][H]
 * @param c [layers][H] for LSTM, an empty array for GRU
 */
public record RecurrentState(float[][] h, float[][] c) {

    public static RecurrentState zeros(int layers, int units, boolean hasCell) {
        return new RecurrentState(new float[layers][units], hasCell ? new float[layers][units] : new float[0][]);
    }

    public int layers() {
        return h.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecurrentState s && Arrays.deepEquals(h, s.h) && Arrays.deepEquals(c, s.c);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(h) + Arrays.deepHashCode(c);
    }

    @Override
    public String toString() {
        return "RecurrentState[layers=" + h.length + ", units=" + (h.length == 0 ? 0 : h[0].length) + "]";
    }
}
