package dev.streambard.text;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training windows over an encoded sequence, as in the TensorFlow text-generation tutorial:
 * the sequence is cut into non-overlapping chunks of seqLen+1 characters (the tail that does
 * not fill a chunk is unused); a chunk's first seqLen characters are the input and its last
 * seqLen the target, so every input character is trained to predict the next one.
 */
public final class Windows {

    private final int[] sequence; // [length] vocabulary indices
    private final int seqLen;
    private final int count;

    public Windows(int[] sequence, int seqLen) {
        if (seqLen < 1) {
            throw new CorpusException("Sequence length must be at least 1, got " + seqLen + ". Use a positive --seq-len.");
        }
        if (sequence.length < seqLen + 1) {
            throw new CorpusException("Text has " + sequence.length + " characters but a window of --seq-len " + seqLen
                    + " needs at least " + (seqLen + 1) + ". Use a smaller --seq-len or a longer corpus.");
        }
        this.sequence = sequence.clone();
        this.seqLen = seqLen;
        this.count = sequence.length / (seqLen + 1);
    }

    public int count() {
        return count;
    }

    public int seqLen() {
        return seqLen;
    }

    /**
     * One epoch of shuffled windows. The order depends only on (seed, epoch). Like the tutorial's
     * {@code batch(drop_remainder=True)}, a final partial batch is dropped, unless there is no full
     * batch at all, then the windows form one smaller batch so tiny corpora still train.
     */
    public List<Batch> shuffledBatches(int batchSize, long seed, int epoch) {
        checkBatchSize(batchSize);
        int[] order = shuffledOrder(seed, epoch);
        int used = shuffledWindowCount(batchSize);
        List<Batch> batches = new ArrayList<>();
        for (int start = 0; start < used; start += batchSize) {
            batches.add(batch(order, start, Math.min(batchSize, used - start)));
        }
        return batches;
    }

    /** Every window once, in text order; the last batch may be partial. For evaluation. */
    public List<Batch> orderedBatches(int batchSize) {
        checkBatchSize(batchSize);
        int[] order = new int[count];
        for (int k = 0; k < count; k++) {
            order[k] = k;
        }
        List<Batch> batches = new ArrayList<>();
        for (int start = 0; start < count; start += batchSize) {
            batches.add(batch(order, start, Math.min(batchSize, count - start)));
        }
        return batches;
    }

    /** Target characters in one epoch of {@link #shuffledBatches}, for progress and chars/s. */
    public long charactersPerEpoch(int batchSize) {
        checkBatchSize(batchSize);
        return (long) shuffledWindowCount(batchSize) * seqLen;
    }

    private int shuffledWindowCount(int batchSize) {
        return count >= batchSize ? count / batchSize * batchSize : count;
    }

    private int[] shuffledOrder(long seed, int epoch) {
        // Multiplying by an odd constant (the golden gamma) keeps (seed, epoch) pairs apart;
        // SplittableRandom scrambles its seed, so neighbouring seeds still give unrelated orders.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = new int[count];
        for (int k = 0; k < count; k++) {
            order[k] = k;
        }
        for (int i = count - 1; i > 0; i--) { // Fisher–Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Rows are windows order[start .. start+size). */
    private Batch batch(int[] order, int start, int size) {
        int[] inputs = new int[size * seqLen];
        int[] targets = new int[size * seqLen];
        for (int row = 0; row < size; row++) {
            int offset = order[start + row] * (seqLen + 1);
            System.arraycopy(sequence, offset, inputs, row * seqLen, seqLen);
            System.arraycopy(sequence, offset + 1, targets, row * seqLen, seqLen);
        }
        return new Batch(size, seqLen, inputs, targets);
    }

    private static void checkBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new CorpusException("Batch size must be at least 1, got " + batchSize + ". Use a positive --batch-size.");
        }
    }
}
