package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The service against a Kafka broker in a container. Opt-in with -Dstreambard.testcontainers=true, and
 * skipped when no Docker daemon answers: asking Docker can throw or hang on machines without one.
 */
class TestcontainersKafkaTest {
    @TempDir
    Path dir;

    @Test
    void generatesAgainstAContainerBroker() throws Exception {
        assumeTrue(Boolean.getBoolean("streambard.testcontainers"), "opt-in: -Dstreambard.testcontainers=true");
        assumeTrue(dockerAvailable(), "no Docker daemon");
        try (KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1")) {
            kafka.start();
            Vocabulary vocab = Vocabulary.fromText("abcdefgh ");
            CharModel m = CharModel.create(new ModelConfig(CellType.LSTM, vocab.size(), 8, 16, 1, 0),
                    new TrainingConfig(10, 4, 1e-2, 1, 1, 0.1, 1), vocab);
            ServiceConfig config = new ServiceConfig(Map.of(ServiceConfig.STATE_DIR, dir.toString(), ServiceConfig.PARTITIONS, 1));
            try (GenerationService service = GenerationService.start(config, kafka.getBootstrapServers(),
                    new ServingModel(new InferenceEngine(m.weights()), vocab, 1), Duration.ofMinutes(2));
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props(kafka), new StringSerializer(), new ByteArraySerializer());
                 KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props(kafka), new StringDeserializer(), new ByteArrayDeserializer())) {
                GenerationRequest r = GenerationRequest.newBuilder().setRequestId("r").setSessionId("s").setSeedText("abc")
                        .setMaxChars(20).setRngSeed(1L).build();
                producer.send(new ProducerRecord<>(config.topics().requests(), "s", Contracts.GENERATION_REQUEST.encode(r))).get();
                consumer.assign(List.of(new TopicPartition(config.topics().chunks(), 0)));
                consumer.seekToBeginning(consumer.assignment());
                StringBuilder text = new StringBuilder();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                        GenerationChunk c = Contracts.GENERATION_CHUNK.decode(rec.value());
                        text.append(c.getText());
                        done |= c.getDone();
                    }
                }
                assertEquals(20, text.length());
            }
        }
    }

    private static Properties props(KafkaContainer kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.getBootstrapServers());
        p.put("isolation.level", "read_committed");
        return p;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}
