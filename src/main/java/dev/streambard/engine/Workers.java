package dev.streambard.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the blocks of one piece of work on the calling thread and the engine's helper threads (one per
 * core beyond the first), each taking the next free block from a shared counter. A thread that loses its
 * core to another one (Kafka's, in the service) then slows only the blocks it took: the others take the
 * rest. A static split in halves is as slow as its slower half.
 *
 * <p>Thread-safe: concurrent callers share the helpers. A caller never waits for a helper to start, only
 * for the blocks a helper has already taken; a helper that starts late finds no block left. Public for
 * training's recurrent layers, which run the two halves of each step here.
 */
public final class Workers {
    private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    /**
     * How long a helper that ran out of blocks, and a caller waiting for a helper's block, spin before they
     * sleep. Work comes in bursts (a training pass hands out one job per time step, back to back; the service
     * several per step); a thread that is still spinning takes the next job without a wake-up. Against a
     * plain thread pool this raised the service's end-to-end rate by 2-30% in paired runs, and training's
     * by about 2% (docs/benchmarks.md, 2026-11-28).
     */
    private static final long SPIN_NANOS = 50_000;
    /** The newest job; helpers take blocks of it until none are left. */
    private static final AtomicReference<Job> POSTED = new AtomicReference<>();
    private static final Helper[] HELPER_THREADS = startHelpers();

    private Workers() {
    }

    private static Helper[] startHelpers() {
        Helper[] helpers = new Helper[HELPERS];
        for (int i = 0; i < HELPERS; i++) {
            helpers[i] = new Helper();
            helpers[i].start();
        }
        return helpers;
    }

    /** Threads that take blocks: the caller and the helpers. */
    public static int threads() {
        return HELPERS + 1;
    }

    /** Calls {@code block} once for each of 0..blocks-1, on this thread and the helpers; returns when all are done. */
    public static void forBlocks(int blocks, IntConsumer block) {
        forBlocks(blocks, block, null);
    }

    /**
     * As {@link #forBlocks(int, IntConsumer)}, but this thread first runs {@code meanwhile} (if not null) while
     * the helpers start on the blocks, then takes the blocks left. Serial work of the caller's (the service
     * emitting the last step's characters) then overlaps with the product instead of leaving a core idle.
     * The blocks are always finished before this returns, also when {@code meanwhile} throws.
     */
    static void forBlocks(int blocks, IntConsumer block, Runnable meanwhile) {
        if (blocks <= 1) {
            if (meanwhile != null) meanwhile.run();
            if (blocks == 1) block.accept(0);
            return;
        }
        Job job = new Job(blocks, block);
        POSTED.set(job);
        for (Helper h : HELPER_THREADS) h.wake();
        try {
            if (meanwhile != null) meanwhile.run();
        } finally {
            job.run();
            job.await();
            POSTED.compareAndSet(job, null); // holds nobody's buffers once done
        }
    }

    /**
     * A helper thread: takes blocks of the newest job, then spins for the next one for a while before it sleeps.
     * A job it never sees (a newer one was posted first) is finished by its caller.
     */
    private static final class Helper extends Thread {
        private volatile boolean asleep;

        Helper() {
            super("streambard-engine-helper");
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0; // the id of the job this thread ran last (ids start at 1)
            while (true) {
                Job job = next(last);
                job.run();
                last = job.id;
            }
        }

        /** The posted job if it is newer than job {@code last}; spins, then sleeps until there is one. */
        private Job next(long last) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = POSTED.get();
                if (job != null && job.id != last) return job;
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                    continue;
                }
                // Announce the sleep, then look once more: a caller posts before it reads asleep, so either it
                // sees asleep and unparks this thread, or this thread sees its job here.
                asleep = true;
                job = POSTED.get();
                if (job == null || job.id == last) LockSupport.park(this);
                asleep = false;
                deadline = System.nanoTime() + SPIN_NANOS;
            }
        }

        void wake() {
            if (asleep) LockSupport.unpark(this);
        }
    }

    private static final class Job implements Runnable {
        private static final AtomicLong IDS = new AtomicLong();
        private final long id = IDS.incrementAndGet();
        private final int blocks;
        private final IntConsumer block;
        private final AtomicInteger next = new AtomicInteger();
        private final Completion done;

        Job(int blocks, IntConsumer block) {
            this.blocks = blocks;
            this.block = block;
            this.done = new Completion(blocks);
        }

        @Override
        public void run() {
            for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
                try {
                    block.accept(b);
                } catch (Throwable t) {
                    done.failed(t);
                } finally {
                    done.partDone();
                }
            }
        }

        void await() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!done.isDone() && System.nanoTime() < deadline) Thread.onSpinWait();
            done.awaitUninterruptibly(); // the blocks write into the caller's buffers: wait for them regardless
            done.rethrowFailure();
        }
    }
}
