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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RequestWatcher} against a real (in-JVM) broker. */
class RequestWatcherTest {

    @Test
    void signalsEachArrivalOnceAndOnlyNewOnes(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir, 0)) {
            String topic = "requests";
            TopicAdmin.ensureTopics(broker.bootstrapServers(), List.of(new TopicSpec(topic, 2, (short) 1)));
            try (KafkaProducer<String, byte[]> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
                // Already there when the watcher starts: not an arrival.
                producer.send(new ProducerRecord<>(topic, "old", bytes("old"))).get();
                try (RequestWatcher watcher = RequestWatcher.start(broker.bootstrapServers(), topic)) {
                    Thread.sleep(2_000); // its assignment and seek to the end
                    assertFalse(watcher.takeArrival(), "records from before it started");

                    producer.send(new ProducerRecord<>(topic, "s1", bytes("new"))).get();
                    assertTrue(awaitArrival(watcher, 10_000), "a new request is signalled");
                    assertFalse(watcher.takeArrival(), "once");

                    producer.send(new ProducerRecord<>(topic, "s2", bytes("new"))).get();
                    assertTrue(awaitArrival(watcher, 10_000), "on either partition, again");
                }
            }
        }
    }

    private static boolean awaitArrival(RequestWatcher watcher, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (watcher.takeArrival()) return true;
            Thread.sleep(10);
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
