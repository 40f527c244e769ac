package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HistogramTest {
    @Test
    void countsAreCumulativeWithAnInfiniteBucketAndASum() {
        Histogram h = new Histogram(0.01, 0.1, 1);
        for (double v : new double[]{0.005, 0.01, 0.05, 0.5, 3}) h.observe(v);
        assertArrayEquals(new long[]{2, 3, 4, 5}, h.cumulativeCounts(), "a value on a bound counts in that bucket");
        assertEquals(3.565, h.sum(), 1e-12);
    }

    @Test
    void boundsMustAscend() {
        assertThrows(IllegalArgumentException.class, () -> new Histogram(0.1, 0.1));
    }
}
