package dev.streambard.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * own thread. It only signals: the request is still read, and processed once, by Kafka Streams.
 */
final class RequestWatcher implements ArrivalSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestWatcher.class);

    private final AtomicBoolean arrived = new AtomicBoolean();
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
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1, // arrival is all it needs to know
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        RequestWatcher watcher = new RequestWatcher(consumer, topic);
        watcher.thread.start();
        return watcher;
    }

    @Override
    public boolean takeArrival() {
        return arrived.getAndSet(false);
    }

    @Override
    public void clear() {
        arrived.set(false);
    }

    private void watch(String topic) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (running) {
                if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) arrived.set(true);
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
