package dev.streambard.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a session's chunks back from the chunks topic, for a client that resumes further back than the hub
 * keeps: a short-lived read_committed consumer of the session's one partition.
 */
final class ChunkHistory {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String topic;

    ChunkHistory(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** Reading back did not reach the offset in time. */
    static final class ReadBackException extends RuntimeException {
        ReadBackException(String message) {
            super(message);
        }
    }

    /** Passes the session's chunks at offsets {@code from} (inclusive) to {@code to} (exclusive) to {@code out}, in order. */
    void read(String session, int partition, long from, long to, Consumer<ChunkEvent> out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // offsets already deleted by retention: from the oldest kept
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seek(tp, Math.max(0, from));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (c.position(tp, TIMEOUT) < to) {
                if (System.nanoTime() > deadline) {
                    throw new ReadBackException("reading " + topic + "-" + partition + " back to offset " + to + " took over "
                            + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
                    if (r.offset() >= to) break;
                    if (!session.equals(r.key())) continue;
                    String json = ChunkEvent.json(r.value());
                    if (json != null) out.accept(new ChunkEvent(r.offset(), json));
                }
            }
        }
    }
}
