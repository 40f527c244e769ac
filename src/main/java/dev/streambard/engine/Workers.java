package dev.streambard.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final ExecutorService POOL = Executors.newFixedThreadPool(HELPERS, r -> {
        Thread t = new Thread(r, "streambard-engine-helper");
        t.setDaemon(true);
        return t;
    });

    private Workers() {
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
        for (int i = 0; i < Math.min(HELPERS, blocks - 1); i++) POOL.execute(job);
        try {
            if (meanwhile != null) meanwhile.run();
        } finally {
            job.run();
            job.await();
        }
    }

    private static final class Job implements Runnable {
        private final int blocks;
        private final IntConsumer block;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private volatile Throwable failure;

        Job(int blocks, IntConsumer block) {
            this.blocks = blocks;
            this.block = block;
            this.done = new CountDownLatch(blocks);
        }

        @Override
        public void run() {
            for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
                try {
                    block.accept(b);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.countDown();
                }
            }
        }

        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the blocks write into the caller's buffers: wait for them regardless
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            Throwable t = failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }
}
