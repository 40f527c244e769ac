package dev.streambard.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CorpusSplitTest {

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void lastFractionIsValidation() {
        CorpusSplit split = CorpusSplit.of(range(10), 0.1);
        assertArrayEquals(range(9), split.train());
        assertArrayEquals(new int[] {9}, split.validation());
    }

    @Test
    void cutTruncatesLikePython() {
        // int(0.9 * 1115394) == 1003854 for the tutorial corpus
        CorpusSplit split = CorpusSplit.of(new int[1_115_394], 0.1);
        assertEquals(1_003_854, split.train().length);
        assertEquals(111_540, split.validation().length);
        // int(0.5 * 7) == 3
        CorpusSplit half = CorpusSplit.of(range(7), 0.5);
        assertArrayEquals(new int[] {0, 1, 2}, half.train());
        assertArrayEquals(new int[] {3, 4, 5, 6}, half.validation());
    }

    @Test
    void zeroFractionMeansNoValidation() {
        CorpusSplit split = CorpusSplit.of(range(5), 0);
        assertArrayEquals(range(5), split.train());
        assertEquals(0, split.validation().length);
    }

    @Test
    void fractionOutsideRangeIsRefused() {
        for (double bad : new double[] {-0.1, 0.51, 1.0, Double.NaN}) {
            CorpusException e = assertThrows(CorpusException.class, () -> CorpusSplit.of(range(10), bad));
            assertTrue(e.getMessage().contains("between 0 and 0.5"), e.getMessage());
        }
    }
}
