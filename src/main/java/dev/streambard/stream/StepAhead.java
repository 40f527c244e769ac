package dev.streambard.stream;

import dev.streambard.engine.Completion;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Keeps the engine stepping while the stream thread is back in Kafka Streams between two slices: polling,
 * and under exactly-once committing, which waits several round trips to the broker (~7% of the stream
 * thread at 64 sessions, docs/benchmarks.md) with the engine's helper asleep. A slice's batch steps on in a
 * thread of this object's; its chunks are held until the processor's next slice sends them and stores the
 * states that match. Kafka sees nothing of it before then, so a crash loses only steps that are taken again
 * the same way (sampling is seeded by position).
 *
 * <p>One batch at a time, for every processor sharing this object: a slice first {@link #stopCurrent stops}
 * whatever steps here, so the engine's threads never serve two batches at once. Thread-safe.
 */
final class StepAhead implements AutoCloseable {
    private final ExecutorService thread;
    private Job current;

    private StepAhead(boolean enabled) {
        this.thread = enabled ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "streambard-step-ahead");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Steps between slices in a thread of its own. */
    static StepAhead enabled() {
        return new StepAhead(true);
    }

    /** Never steps between slices: the batch waits for the next slice, as {@link #start} returns null. */
    static StepAhead disabled() {
        return new StepAhead(false);
    }

    /**
     * Stops what steps now, then runs {@code steps} in the background until it returns; it is given the
     * question "should I stop?" to ask between steps. Null when this object is disabled.
     */
    synchronized Job start(Consumer<BooleanSupplier> steps) {
        if (thread == null) return null;
        stopCurrent();
        Job job = new Job(steps);
        current = job;
        thread.execute(job);
        return job;
    }

    /**
     * Stops the job stepping now, if any, and waits for its step in progress. A failure stays with the job, for
     * its owner's {@link Job#stop}.
     */
    synchronized void stopCurrent() {
        if (current == null) return;
        Job job = current;
        current = null;
        job.halt();
    }

    @Override
    public void close() {
        stopCurrent();
        if (thread != null) thread.shutdown();
    }

    /** Steps of one batch in the background. */
    static final class Job implements Runnable {
        private final Consumer<BooleanSupplier> steps;
        private final Completion done = new Completion(1);
        private volatile boolean stopping;

        private Job(Consumer<BooleanSupplier> steps) {
            this.steps = steps;
        }

        @Override
        public void run() {
            try {
                if (!stopping) steps.accept(() -> stopping);
            } catch (Throwable t) {
                done.failed(t);
            } finally {
                done.partDone();
            }
        }

        /**
         * Asks the steps to stop and waits until they have (also when they had ended already); afterwards the
         * caller owns what they worked on. A step that failed throws here, on the caller's thread.
         */
        void stop() {
            halt();
            done.rethrowFailure();
        }

        /** Asks the steps to stop and waits until they have, keeping a failure for {@link #stop}. */
        void halt() {
            stopping = true;
            done.awaitUninterruptibly(); // the steps write into the batch the caller takes back: wait regardless
        }
    }
}
