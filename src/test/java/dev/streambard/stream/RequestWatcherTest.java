package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.kafka.Clients;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.kafka.TopicAdmin;
import dev.streambard.kafka.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RequestWatcher} against a real (in-JVM) broker. */
class RequestWatcherTest {

    @Test
    void aRequestWaitsFromWhenItIsSeenUntilItsPartitionsProcessorTakesIt(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir, 0)) {
            String topic = "requests";
            TopicAdmin.ensureTopics(broker.bootstrapServers(), List.of(new TopicSpec(topic, 2, (short) 1)));
            try (KafkaProducer<String, byte[]> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
                // Already there when the watcher starts: not waiting.
                producer.send(new ProducerRecord<>(topic, 0, "old", bytes("old"))).get();
                try (RequestWatcher watcher = RequestWatcher.start(broker.bootstrapServers(), topic)) {
                    watcher.owned(0);
                    Thread.sleep(2_000); // its assignment and seek to the end
                    assertFalse(watcher.waiting(), "records from before it started");

                    RecordMetadata first = producer.send(new ProducerRecord<>(topic, 0, "s1", bytes("new"))).get();
                    assertTrue(awaitWaiting(watcher, 10_000), "a new request waits");
                    assertTrue(watcher.waiting(), "and goes on waiting until it is processed, however often asked");
                    watcher.processed(0, first.offset());
                    assertFalse(watcher.waiting(), "processed");

                    // A partition this process does not own: its requests are another process's to poll.
                    RecordMetadata other = producer.send(new ProducerRecord<>(topic, 1, "s2", bytes("new"))).get();
                    Thread.sleep(1_000);
                    assertFalse(watcher.waiting(), "not owned here");
                    // Owned from now on: what was seen before its task started is not waited for.
                    watcher.owned(1);
                    assertFalse(watcher.waiting(), "seen before the task started");
                    producer.send(new ProducerRecord<>(topic, 1, "s3", bytes("new"))).get();
                    assertTrue(awaitWaiting(watcher, 10_000), "a new request on the newly owned partition");
                    watcher.processed(1, other.offset());
                    assertTrue(watcher.waiting(), "an older offset processed: the new request still waits");
                    watcher.released(1);
                    assertFalse(watcher.waiting(), "its task closed");
                }
            }
        }
    }

    @Test
    void anAbortedRequestNeverWaits(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir, 0)) {
            String topic = "requests";
            TopicAdmin.ensureTopics(broker.bootstrapServers(), List.of(new TopicSpec(topic, 1, (short) 1)));
            try (RequestWatcher watcher = RequestWatcher.start(broker.bootstrapServers(), topic);
                 KafkaProducer<String, byte[]> producer = Clients.producer(broker.bootstrapServers(),
                         Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "watcher-test"))) {
                watcher.owned(0);
                Thread.sleep(2_000);
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, "s1", bytes("aborted"))).get();
                producer.abortTransaction();
                // Kafka Streams never processes it under exactly-once; a watcher that counted it would cut every slice short.
                assertFalse(awaitWaiting(watcher, 3_000), "aborted");
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, "s1", bytes("committed")));
                producer.commitTransaction();
                assertTrue(awaitWaiting(watcher, 10_000), "committed");
            }
        }
    }

    private static boolean awaitWaiting(RequestWatcher watcher, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (watcher.waiting()) return true;
            Thread.sleep(10);
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
