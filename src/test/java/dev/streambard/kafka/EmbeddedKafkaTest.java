package dev.streambard.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EmbeddedKafkaTest {

    @TempDir
    static Path dataDir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        long start = System.nanoTime();
        kafka = EmbeddedKafka.start(dataDir, 0);
        System.err.printf("embedded broker ready in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    private static KafkaProducer<String, String> producer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        if (transactionalId != null) p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A broken coordinator fails the test in seconds instead of blocking for Kafka's default minute.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer(String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (groupId != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return new KafkaConsumer<>(p);
    }

    /** Every committed record of partition 0 of {@code topic}, read without a consumer group. */
    private static List<String> readCommitted(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            // For read_committed, endOffsets is the last stable offset: past the commit markers.
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) values.add(prefix + i);
        return values;
    }

    @Test
    void listensOnLoopbackOnly() {
        assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
        assertTrue(kafka.port() > 0);
        assertTrue(Files.exists(dataDir.resolve("meta.properties")));
    }

    @Test
    void transactionsCommitAndAbortOnOneNode() throws Exception {
        // The input topic must exist: the group coordinator retries offsets of unknown partitions until timeout.
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ek-tx", 1, 1), new TopicSpec("ek-tx-input", 1, 1)));
        TopicPartition input = new TopicPartition("ek-tx-input", 0);

        KafkaProducer<String, String> producer = producer("ek-test-tx");
        try (KafkaConsumer<String, String> groupMember = consumer("ek-test-group")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String v : numbered("aborted-", 10)) producer.send(new ProducerRecord<>("ek-tx", "k", v));
            producer.abortTransaction();

            producer.beginTransaction();
            for (String v : numbered("committed-", 100)) producer.send(new ProducerRecord<>("ek-tx", "k", v));
            // What Kafka Streams does on every exactly-once commit: input offsets join the transaction.
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(42)), groupMember.groupMetadata());
            producer.commitTransaction();
        } finally {
            producer.close(Duration.ofSeconds(5));
        }

        assertEquals(numbered("committed-", 100), readCommitted("ek-tx"));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("ek-test-group")
                    .partitionsToOffsetAndMetadata().get();
            assertEquals(42, offsets.get(input).offset());
        }
    }

    @Test
    void recordsSurviveARestartOnTheSameFolderAndPort() throws Exception {
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ek-durable", 1, 1)));
        KafkaProducer<String, String> producer = producer("ek-durable-tx");
        try {
            producer.initTransactions();
            producer.beginTransaction();
            for (String v : numbered("kept-", 20)) producer.send(new ProducerRecord<>("ek-durable", "k", v));
            producer.commitTransaction();
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
        String clusterId = clusterId();
        int port = kafka.port();

        kafka.close();
        assertTrue(portIsFree(port), "close() released the port");
        long start = System.nanoTime();
        kafka = EmbeddedKafka.start(dataDir, port);
        System.err.printf("embedded broker restarted in %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertEquals(port, kafka.port());
        assertEquals(clusterId, clusterId());
        assertEquals(numbered("kept-", 20), readCommitted("ek-durable"));
    }

    @Test
    void aPortInUseIsRefusedClearly(@TempDir Path otherDir) throws Exception {
        KafkaSetupException e = assertThrows(KafkaSetupException.class, () -> EmbeddedKafka.start(otherDir, kafka.port()));
        assertTrue(e.getMessage().contains(kafka.bootstrapServers()), e.getMessage());
    }

    @Test
    void aFolderWithOtherFilesIsNotTakenOver(@TempDir Path otherDir) throws Exception {
        Files.writeString(otherDir.resolve("notes.txt"), "mine");
        KafkaSetupException e = assertThrows(KafkaSetupException.class, () -> EmbeddedKafka.start(otherDir, 0));
        assertTrue(e.getMessage().contains(otherDir.toString()), e.getMessage());
        try (var entries = Files.list(otherDir)) {
            assertEquals(List.of(otherDir.resolve("notes.txt")), entries.toList());
        }
    }

    private static String clusterId() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.describeCluster().clusterId().get();
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
