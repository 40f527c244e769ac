package dev.streambard.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients as streambard's own producers and readers use them: string keys, byte values. */
public final class Clients {
    private Clients() {
    }

    /** Idempotent, acknowledged by all replicas, sent at once. */
    public static KafkaProducer<String, byte[]> producer(String bootstrapServers, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.putAll(overrides);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A reader outside any consumer group, assigned every partition of {@code topic} (which must exist) and
     * positioned at the beginning; it commits nothing, so its position is the caller's to keep.
     */
    public static KafkaConsumer<String, byte[]> reader(String bootstrapServers, String topic, Duration timeout) {
        return reader(bootstrapServers, topic, timeout, Map.of());
    }

    /** As {@link #reader(String, String, Duration)}, with consumer settings of the caller's. */
    public static KafkaConsumer<String, byte[]> reader(String bootstrapServers, String topic, Duration timeout, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(overrides);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = partitions(c, topic, timeout);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        var info = consumer.partitionsFor(topic, timeout);
        if (info == null || info.isEmpty()) throw new KafkaSetupException("topic " + topic + " does not exist");
        return info.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }
}
