package dev.streambard.stream;

import dev.streambard.contract.CheckpointEvent;
import dev.streambard.ingest.CheckpointEvents;
import dev.streambard.kafka.Clients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows the checkpoints topic for one model name and swaps each newly promoted version into the
 * service: loaded and verified on this follower's own thread, then published through an atomic reference
 * that the generation processor reads at the start of every slice, so the swap falls between two batch
 * steps and live sessions continue with their states. A version that fails verification is refused and
 * the current one keeps serving. Rolling back is re-publishing an older version's event.
 */
public final class CheckpointFollower implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Hears what the follower did, on its thread. */
    public interface Listener {
        void swapped(ServingModel previous, ServingModel now, Duration loading);

        void refused(CheckpointEvent event, String reason);
    }

    private final KafkaConsumer<String, byte[]> reader;
    private final String modelName;
    private final AtomicReference<ServingModel> model;
    private final Listener listener;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final Thread thread;

    /**
     * Reads the topic to its end and serves its latest version of {@code modelName} (unless {@code model}
     * already holds that checkpoint), then follows it on a background thread.
     */
    public CheckpointFollower(String bootstrapServers, String topic, String modelName, AtomicReference<ServingModel> model,
                              Listener listener) {
        this.reader = Clients.reader(bootstrapServers, topic, TIMEOUT);
        this.modelName = modelName;
        this.model = model;
        this.listener = listener;
        try {
            CheckpointEvent latest = CheckpointEvents.catchUp(reader, TIMEOUT, this::undecodable).get(modelName);
            if (latest != null) consider(latest);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        if (model.get() != null) ready.countDown();
        this.thread = new Thread(this::follow, "streambard-checkpoint-follower");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until some version serves; false if none arrived in time. */
    public boolean awaitModel(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long swaps() {
        return swaps.get();
    }

    public long refusals() {
        return refusals.get();
    }

    private void follow() {
        try {
            while (true) {
                CheckpointEvent latest = null;
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(500))) {
                    if (!modelName.equals(r.key())) continue;
                    CheckpointEvent e = CheckpointEvents.decode(r, this::undecodable);
                    if (e != null) latest = e; // a burst of versions: only the newest is worth loading
                }
                if (latest != null) consider(latest);
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    private void consider(CheckpointEvent event) {
        ServingModel current = model.get();
        if (current != null && event.getSha256().toString().equals(current.checkpointSha256())) return;
        long start = System.nanoTime();
        ServingModel next;
        try {
            next = ModelLoader.load(event, current);
        } catch (RuntimeException e) {
            refusals.incrementAndGet();
            listener.refused(event, e.getMessage());
            return;
        }
        model.set(next);
        swaps.incrementAndGet();
        ready.countDown();
        listener.swapped(current, next, Duration.ofNanos(System.nanoTime() - start));
    }

    private void undecodable(String where, String why) {
        refusals.incrementAndGet();
        listener.refused(null, "the record at " + where + " is not a usable checkpoint event: " + why);
    }

    @Override
    public void close() {
        reader.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }
}
