package dev.streambard.model;

/** The recurrent cell of every layer of a model. */
public enum CellType {
    LSTM(4),
    GRU(3);

    /** Gate blocks per unit: the recurrent weight matrices are [in, gates * units]. */
    public final int gates;

    CellType(int gates) {
        this.gates = gates;
    }
}
