package dev.streambard.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices new requests while a slice runs, so that the slice can end early and Kafka Streams poll for
 * them. Kafka Streams fetches only inside its poll, which waits for the punctuator's slice to end; this
 * watcher's own consumer (no group; every partition of the requests topic, from its end) fetches on its
 * own thread. It only signals: the request is still read, and processed once, by Kafka Streams. It reads
 * committed records only, as Kafka Streams does under exactly-once: an aborted request is never processed,
 * so it must never count as waiting.
 */
final class RequestWatcher implements ArrivalSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestWatcher.class);

    /** Per partition of the requests topic: the highest offset this watcher has seen (written by its thread). */
    private final Map<Integer, Long> seen = new ConcurrentHashMap<>();
    /** Per partition processed here: the highest offset the processor has taken (or was seen when its task started). */
    private final Map<Integer, Long> processed = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private RequestWatcher(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.thread = new Thread(() -> watch(topic), "streambard-request-watcher");
        thread.setDaemon(true);
    }

    static RequestWatcher start(String bootstrapServers, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "streambard-request-watcher",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        RequestWatcher watcher = new RequestWatcher(consumer, topic);
        watcher.thread.start();
        return watcher;
    }

    @Override
    public void owned(int partition) {
        // What was seen before the task started is not waited for: the task may have processed it in an earlier
        // life, and the processor will tell; counting it could cut every slice short until the next request.
        processed.put(partition, seen.getOrDefault(partition, -1L));
    }

    @Override
    public void released(int partition) {
        processed.remove(partition);
    }

    @Override
    public void processed(int partition, long offset) {
        processed.computeIfPresent(partition, (p, before) -> Math.max(before, offset));
    }

    @Override
    public boolean waiting() {
        for (Map.Entry<Integer, Long> e : processed.entrySet()) {
            if (seen.getOrDefault(e.getKey(), -1L) > e.getValue()) return true;
        }
        return false;
    }

    private void watch(String topic) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (running) {
                for (var r : consumer.poll(Duration.ofMillis(500))) seen.merge(r.partition(), r.offset(), Math::max);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            // Best effort: without it slices just run their full length.
            LOG.warn("request watcher stopped; slices no longer end early for new requests: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
