package dev.streambard.stream;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed upper bounds, safe to record from any thread, in the shape Prometheus
 * expects (cumulative bucket counts, sum, count).
 */
public final class Histogram {
    private final double[] bounds;     // ascending upper bounds, seconds; +Inf is implied
    private final LongAdder[] counts;  // per bucket, the last one for +Inf
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) throw new IllegalArgumentException("bounds must ascend");
        }
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    public void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) i++;
        counts[i].increment();
        sum.add(seconds);
    }

    public double[] bounds() {
        return bounds.clone();
    }

    /** Observations at or below each bound, then the total (the +Inf bucket). */
    public long[] cumulativeCounts() {
        long[] out = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            out[i] = running;
        }
        return out;
    }

    public double sum() {
        return sum.sum();
    }
}
