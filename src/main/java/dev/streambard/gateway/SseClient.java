package dev.streambard.gateway;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The events waiting for one Server-Sent Events connection. The feed only ever offers (never waits), so a
 * slow client cannot slow the feed or other clients; once its queue is full it is dropped instead, and its
 * connection closed: the browser reconnects with Last-Event-ID and gets what it missed.
 */
final class SseClient {
    private final BlockingQueue<ChunkEvent> queue;
    private volatile boolean dropped;

    SseClient(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Queues the event; false (and the client is dropped) when the queue is full. */
    boolean offer(ChunkEvent event) {
        if (dropped) return false;
        if (queue.offer(event)) return true;
        dropped = true;
        queue.clear(); // nothing more will be written to this connection
        return false;
    }

    boolean dropped() {
        return dropped;
    }

    /** The next event, or null when none came within {@code wait} or the client was dropped. */
    ChunkEvent next(Duration wait) throws InterruptedException {
        ChunkEvent e = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        return dropped ? null : e;
    }
}
