package dev.streambard.model;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Collects garbage that holds native memory. A training step leaves a few MB of native arrays (DL4J's
 * and ND4J's, outside their workspaces) that are freed only when the Java objects over them are
 * collected, and a large, quiet heap collects rarely: RSS grew by ~3 MB a step at the tutorial shape,
 * to 1.39 GB after one epoch of `train`. ND4J's own periodic collection
 * ({@code MemoryManager.togglePeriodicGc}) did not change that; a full collection every 30 s at most keeps it
 * flat (docs/benchmarks.md). Thread-safe.
 *
 * <p>The same collections hand unused Java heap back to the system ({@link #keepHeapTight}).
 */
final class NativeGarbage {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Runnable collect;
    private long last;

    NativeGarbage(Duration interval) {
        this(interval, System::nanoTime, () -> {
            keepHeapTight();
            System.gc();
        });
    }

    NativeGarbage(Duration interval, LongSupplier nanoClock, Runnable collect) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.collect = collect;
        this.last = nanoClock.getAsLong();
    }

    /**
     * Lets a full collection shrink the heap to its live data plus 30% (MaxHeapFreeRatio; the JVM's default keeps
     * up to 70% free), unless the command line set the ratios. Training's heap holds ~100 MB that lives, its
     * memory is native, and with the default G1 kept ~315 MB committed, most of it resident; with 30, 135-145 MB
     * (docs/benchmarks.md). Both ratios are manageable flags, so this works on a running JVM; a JVM without them
     * keeps its own sizing.
     */
    static synchronized void keepHeapTight() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm.getVMOption("MaxHeapFreeRatio").getOrigin() != VMOption.Origin.DEFAULT
                    || vm.getVMOption("MinHeapFreeRatio").getOrigin() != VMOption.Origin.DEFAULT) {
                return;
            }
            vm.setVMOption("MinHeapFreeRatio", "10"); // first: the JVM refuses a minimum above the maximum
            vm.setVMOption("MaxHeapFreeRatio", "30");
        } catch (RuntimeException e) {
            // Not HotSpot, or the flags are not manageable here: the default sizing stays.
        }
    }

    /** Collects if the last collection (or construction) was at least the interval ago; never if it is ≤ 0. */
    synchronized void collectIfDue() {
        if (intervalNanos <= 0 || nanoClock.getAsLong() - last < intervalNanos) return;
        collect.run();
        last = nanoClock.getAsLong();
    }
}
