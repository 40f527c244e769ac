package dev.streambard.engine;

import java.util.concurrent.CountDownLatch;

/**
 * Work that other threads finish in parts, and the thread waiting for it. The wait does not give up on an
 * interrupt (the parts write into buffers the waiting thread takes back; it keeps the interrupt for later), and
 * a part's failure is thrown on the waiting thread. Public for the service's batches that step between slices.
 */
public final class Completion {
    private final CountDownLatch parts;
    private volatile Throwable failure;

    /** @param parts how many {@link #partDone} calls complete the work */
    public Completion(int parts) {
        this.parts = new CountDownLatch(parts);
    }

    /** One part has ended, normally or after {@link #failed}. */
    public void partDone() {
        parts.countDown();
    }

    /** A part failed with {@code t}; the waiting thread gets it from {@link #rethrowFailure}. */
    public void failed(Throwable t) {
        failure = t;
    }

    public boolean isDone() {
        return parts.getCount() == 0;
    }

    /** Waits until every part is done, also when interrupted meanwhile (the interrupt is kept). */
    public void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                parts.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Throws what a part failed with, if any: unchecked as it was, a checked one wrapped. */
    public void rethrowFailure() {
        Throwable t = failure;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }
}
