package dev.streambard.model;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Collects garbage that holds native memory. A training step leaves a few MB of native arrays (DL4J's
 * and ND4J's, outside their workspaces) that are freed only when the Java objects over them are
 * collected, and a large, quiet heap collects rarely: RSS grew by ~3 MB a step at the tutorial shape,
 * to 1.39 GB after one epoch of `train`. ND4J's own periodic collection
 * ({@code MemoryManager.togglePeriodicGc}) did not change that; a full collection every 30 s at most keeps it
 * flat (docs/benchmarks.md). Thread-safe.
 */
final class NativeGarbage {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Runnable collect;
    private long last;

    NativeGarbage(Duration interval) {
        this(interval, System::nanoTime, System::gc);
    }

    NativeGarbage(Duration interval, LongSupplier nanoClock, Runnable collect) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.collect = collect;
        this.last = nanoClock.getAsLong();
    }

    /** Collects if the last collection (or construction) was at least the interval ago; never if it is ≤ 0. */
    synchronized void collectIfDue() {
        if (intervalNanos <= 0 || nanoClock.getAsLong() - last < intervalNanos) return;
        collect.run();
        last = nanoClock.getAsLong();
    }
}
