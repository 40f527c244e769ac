package dev.streambard.text;

import java.util.Arrays;

/**
 * One training batch of encoded windows. The arrays are owned by the batch (not copied) and
 * must not be changed after construction.
 *
 * @param inputs  [size, seqLen] row-major vocabulary indices
 * @param targets [size, seqLen] row-major: targets[r][t] is the character after inputs[r][t]
 */
public record Batch(int size, int seqLen, int[] inputs, int[] targets) {

    public Batch {
        if (size < 1 || seqLen < 1) {
            throw new IllegalArgumentException("size and seqLen must be positive: " + size + ", " + seqLen);
        }
        if (inputs.length != size * seqLen || targets.length != size * seqLen) {
            throw new IllegalArgumentException("inputs and targets must have " + size + "*" + seqLen + " entries, got "
                    + inputs.length + " and " + targets.length);
        }
    }

    /** Characters predicted in this batch: size * seqLen. */
    public int characters() {
        return size * seqLen;
    }

    // Records compare arrays by reference; batches are compared by content (e.g. in determinism checks).
    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && size == b.size && seqLen == b.seqLen
                && Arrays.equals(inputs, b.inputs) && Arrays.equals(targets, b.targets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputs) + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "Batch[size=" + size + ", seqLen=" + seqLen + "]";
    }
}
