package dev.streambard.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WindowsTest {

    /** 0, 1, 2, ...: a value is its own position, so a row tells which window it came from. */
    private static int[] positions(int n) {
        return IntStream.range(0, n).toArray();
    }

    private static int[] row(int[] flat, int r, int seqLen) {
        return Arrays.copyOfRange(flat, r * seqLen, (r + 1) * seqLen);
    }

    /** Window index of every row of the batches, in order. */
    private static List<Integer> windowsOf(List<Batch> batches, int seqLen) {
        return batches.stream()
                .flatMap(b -> IntStream.range(0, b.size()).mapToObj(r -> b.inputs()[r * seqLen] / (seqLen + 1)))
                .toList();
    }

    @Test
    void countsNonOverlappingChunksOfSeqLenPlusOne() {
        assertEquals(4, new Windows(positions(23), 4).count()); // 23 / 5, tail of 3 unused
        assertEquals(1, new Windows(positions(5), 4).count());
        assertEquals(11_043, new Windows(new int[1_115_394], 100).count()); // the tutorial's count
    }

    @Test
    void tooShortSequenceSaysWhatIsNeeded() {
        CorpusException e = assertThrows(CorpusException.class, () -> new Windows(positions(4), 4));
        assertTrue(e.getMessage().contains("at least 5"), e.getMessage());
        assertTrue(e.getMessage().contains("--seq-len"), e.getMessage());
    }

    @Test
    void targetIsInputShiftedByOne() {
        int seqLen = 4;
        List<Batch> batches = new Windows(positions(23), seqLen).orderedBatches(3);
        Batch first = batches.get(0);
        assertEquals(3, first.size());
        assertArrayEquals(new int[] {5, 6, 7, 8}, row(first.inputs(), 1, seqLen));
        assertArrayEquals(new int[] {6, 7, 8, 9}, row(first.targets(), 1, seqLen));
        for (Batch b : new Windows(positions(1000), 9).shuffledBatches(7, 42, 0)) {
            for (int i = 0; i < b.inputs().length; i++) {
                assertEquals(b.inputs()[i] + 1, b.targets()[i]);
            }
        }
    }

    @Test
    void shuffleIsDeterministicAndDiffersAcrossEpochs() {
        Windows windows = new Windows(positions(2000), 9); // 200 windows
        assertEquals(windows.shuffledBatches(10, 7, 3), windows.shuffledBatches(10, 7, 3));
        assertNotEquals(windowsOf(windows.shuffledBatches(10, 7, 3), 9), windowsOf(windows.shuffledBatches(10, 7, 4), 9));
        assertNotEquals(windowsOf(windows.shuffledBatches(10, 7, 3), 9), windowsOf(windows.shuffledBatches(10, 8, 3), 9));
        assertNotEquals(windowsOf(windows.orderedBatches(10), 9), windowsOf(windows.shuffledBatches(10, 7, 3), 9));
    }

    @Test
    void everyWindowOnceAnEpochWhenCountDividesBatchSize() {
        Windows windows = new Windows(positions(2000), 9); // 200 windows, 20 batches of 10
        List<Batch> batches = windows.shuffledBatches(10, 1, 0);
        assertEquals(20, batches.size());
        List<Integer> seen = windowsOf(batches, 9);
        assertEquals(200, seen.size());
        assertEquals(IntStream.range(0, 200).boxed().toList(), seen.stream().sorted().toList());
        assertEquals(200L * 9, windows.charactersPerEpoch(10));
    }

    @Test
    void partialLastBatchIsDroppedWhenAFullOneExists() {
        Windows windows = new Windows(positions(230), 9); // 23 windows
        List<Batch> batches = windows.shuffledBatches(10, 1, 0);
        assertEquals(2, batches.size());
        assertTrue(batches.stream().allMatch(b -> b.size() == 10));
        assertEquals(20, new HashSet<>(windowsOf(batches, 9)).size());
        assertEquals(20L * 9, windows.charactersPerEpoch(10));
    }

    @Test
    void fewerWindowsThanBatchSizeGiveOnePartialBatch() {
        Windows windows = new Windows(positions(50), 9); // 5 windows
        List<Batch> batches = windows.shuffledBatches(64, 1, 0);
        assertEquals(1, batches.size());
        assertEquals(5, batches.get(0).size());
        assertEquals(Set.of(0, 1, 2, 3, 4), new HashSet<>(windowsOf(batches, 9)));
        assertEquals(5L * 9, windows.charactersPerEpoch(64));
    }

    @Test
    void orderedBatchesCoverEveryWindowInOrder() {
        Windows windows = new Windows(positions(230), 9); // 23 windows
        List<Batch> batches = windows.orderedBatches(10);
        assertEquals(List.of(10, 10, 3), batches.stream().map(Batch::size).toList());
        assertEquals(IntStream.range(0, 23).boxed().toList(), windowsOf(batches, 9));
    }

    @Test
    void badBatchSizeIsRefused() {
        Windows windows = new Windows(positions(50), 9);
        assertThrows(CorpusException.class, () -> windows.shuffledBatches(0, 1, 0));
        assertThrows(CorpusException.class, () -> windows.orderedBatches(-1));
    }
}
