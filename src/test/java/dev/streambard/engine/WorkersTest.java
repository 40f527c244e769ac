package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class WorkersTest {
    @RepeatedTest(20)
    void everyBlockRunsOnceAndMeanwhileOnceOnTheCaller() {
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        AtomicReference<Thread> meanwhileThread = new AtomicReference<>();
        AtomicInteger meanwhileRuns = new AtomicInteger();
        Workers.forBlocks(8, runs::incrementAndGet, () -> {
            meanwhileRuns.incrementAndGet();
            meanwhileThread.set(Thread.currentThread());
        });
        for (int b = 0; b < 8; b++) assertEquals(1, runs.get(b), "block " + b);
        assertEquals(1, meanwhileRuns.get());
        assertSame(Thread.currentThread(), meanwhileThread.get());
    }

    @Test
    void aSingleBlockStillRunsMeanwhileFirst() {
        StringBuilder order = new StringBuilder();
        Workers.forBlocks(1, b -> order.append("block"), () -> order.append("meanwhile,"));
        assertEquals("meanwhile,block", order.toString());
    }

    /** The blocks write into the caller's buffers: they are all done before a failure of meanwhile surfaces. */
    @RepeatedTest(10)
    void aFailureOfMeanwhileSurfacesAfterEveryBlockIsDone() {
        AtomicInteger done = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Workers.forBlocks(8, b -> {
            sleepMillis(2);
            done.incrementAndGet();
        }, () -> {
            throw new IllegalStateException("meanwhile failed");
        }));
        assertEquals("meanwhile failed", thrown.getMessage());
        assertEquals(8, done.get());
    }

    @Test
    void aFailingBlockSurfacesOnTheCaller() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Workers.forBlocks(8, b -> {
            if (b == 5) throw new IllegalArgumentException("block 5");
        }));
        assertEquals("block 5", thrown.getMessage());
    }

    /** Many callers at once, many jobs each: every block of every job runs exactly once, and nothing hangs. */
    @Test
    void concurrentCallersEachGetEveryBlockRunOnce() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            int callers = 4;
            int jobs = 2_000;
            AtomicInteger wrong = new AtomicInteger();
            Thread[] threads = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                threads[c] = new Thread(() -> {
                    for (int j = 0; j < jobs; j++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(3);
                        Workers.forBlocks(3, runs::incrementAndGet);
                        for (int b = 0; b < 3; b++) if (runs.get(b) != 1) wrong.incrementAndGet();
                    }
                });
                threads[c].start();
            }
            for (Thread t : threads) t.join();
            assertEquals(0, wrong.get());
        });
    }

    /** A helper takes the blocks the caller cannot get to, also after it has slept between jobs. */
    @RepeatedTest(5)
    void aHelperTakesBlocksWhileTheCallerIsBusy() {
        sleepMillis(20); // long past the helpers' spinning: they sleep now
        java.util.Set<Thread> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Workers.forBlocks(4, b -> {
            ran.add(Thread.currentThread());
            sleepMillis(20);
        });
        assertEquals(Math.min(4, Workers.threads()), ran.size(), "threads that ran blocks");
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
