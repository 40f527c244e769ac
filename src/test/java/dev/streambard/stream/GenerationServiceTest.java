package dev.streambard.stream;

import static dev.streambard.stream.ServiceTestSupport.RESULT_TIMEOUT;
import static dev.streambard.stream.ServiceTestSupport.START_TIMEOUT;
import static dev.streambard.stream.ServiceTestSupport.assertCompleteText;
import static dev.streambard.stream.ServiceTestSupport.assertDone;
import static dev.streambard.stream.ServiceTestSupport.byRequest;
import static dev.streambard.stream.ServiceTestSupport.config;
import static dev.streambard.stream.ServiceTestSupport.decode;
import static dev.streambard.stream.ServiceTestSupport.dedupe;
import static dev.streambard.stream.ServiceTestSupport.readUntil;
import static dev.streambard.stream.ServiceTestSupport.reference;
import static dev.streambard.stream.ServiceTestSupport.request;
import static dev.streambard.stream.ServiceTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation service on a real (embedded) broker: Kafka Streams, transactions, the state store's
 * changelog and restarts. The text of every request is checked against the single-session Generator.
 */
class GenerationServiceTest {
    @TempDir
    static Path kafkaDir;
    private static EmbeddedKafka kafka;
    private static ServingModel model;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
        model = ServiceTestSupport.tinyModel(4);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    private GenerationService start(ServiceConfig config) {
        return GenerationService.start(config, kafka.bootstrapServers(), model, START_TIMEOUT);
    }

    /** Five sessions with different seeds, sampling settings and lengths. */
    private static List<GenerationRequest> fiveSessions() {
        List<GenerationRequest> out = new ArrayList<>();
        String[] seeds = {"the quick", "a lazy dog", "fox", "sleeps.\n", "over, then"};
        for (int s = 0; s < 5; s++) {
            out.add(request("r" + s, "session-" + s, seeds[s], 30 + 7 * s, 100 + s)
                    .setTemperature(0.6 + 0.2 * s).setTopK(s == 2 ? 5 : 0).build());
        }
        return out;
    }

    private static List<String> ids(List<GenerationRequest> requests) {
        return requests.stream().map(GenerationRequest::getRequestId).toList();
    }

    private void assertEveryRequestGeneratesItsReferenceText(List<GenerationRequest> requests, List<GenerationChunk> chunks) {
        Map<String, List<GenerationChunk>> byRequest = byRequest(chunks);
        for (GenerationRequest r : requests) {
            String text = assertCompleteText(byRequest.get(r.getRequestId()), r.getRequestId(), r.getMaxChars());
            assertEquals(reference(model, r), text, r.getRequestId() + ": the same request gives the same text");
            for (GenerationChunk c : byRequest.get(r.getRequestId())) {
                assertEquals(r.getSessionId(), c.getSessionId());
                assertEquals(4, c.getModelVersion());
            }
        }
    }

    @Test
    void exactlyOnceGivesEveryRequestItsTextOnceAndInOrder() {
        ServiceConfig config = config("gst-exactly-once", stateDir, Map.of());
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, config.getString(ServiceConfig.GUARANTEE), "the default guarantee");
        List<GenerationRequest> requests = fiveSessions();
        try (GenerationService service = start(config)) {
            assertEquals(KafkaStreams.State.RUNNING, service.state());
            send(kafka.bootstrapServers(), config.topics().requests(), requests);
            List<ConsumerRecord<String, byte[]>> records = readUntil(kafka.bootstrapServers(), config.topics().chunks(),
                    ServiceTestSupport.allDone(ids(requests)), RESULT_TIMEOUT);
            assertDone(records, ids(requests));
            for (ConsumerRecord<String, byte[]> r : records) {
                assertEquals(Contracts.GENERATION_CHUNK.decode(r.value()).getSessionId(), r.key(), "chunks are keyed by session");
            }
            // No dedupe here: under exactly-once a committed chunk appears once.
            assertEveryRequestGeneratesItsReferenceText(requests, decode(records));
        }
    }

    @Test
    void jsonOutputIsPlainJsonThatDecodesBack() throws IOException {
        ServiceConfig config = config("gst-json", stateDir, Map.of(ServiceConfig.OUTPUT_FORMAT, "json"));
        GenerationRequest r = request("j1", "json-session", "the fox", 20, 9).build();
        try (GenerationService service = start(config)) {
            send(kafka.bootstrapServers(), config.topics().requests(), List.of(r));
            List<ConsumerRecord<String, byte[]>> records = readUntil(kafka.bootstrapServers(), config.topics().chunks(),
                    ServiceTestSupport.allDone(List.of("j1")), RESULT_TIMEOUT);
            assertDone(records, List.of("j1"));
            ObjectMapper json = new ObjectMapper();
            List<GenerationChunk> chunks = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                String value = new String(record.value(), StandardCharsets.UTF_8);
                assertTrue(value.startsWith("{"), "a JSON object, not Avro: " + value);
                JsonNode node = json.readTree(value);
                GenerationChunk chunk = Contracts.GENERATION_CHUNK.decode(record.value());
                chunks.add(chunk);
                assertEquals(chunk.getRequestId(), node.get("requestId").asText());
                assertEquals(chunk.getIndex(), node.get("index").asInt());
                assertEquals(chunk.getText(), node.get("text").asText());
                assertEquals(chunk.getDone(), node.get("done").asBoolean());
                assertTrue(node.has("error") && node.get("error").isNull(), "\"error\":null, unwrapped: " + value);
                if (chunk.getDone()) {
                    assertEquals("LENGTH", node.get("finishReason").asText(), "a plain enum name, not {\"...FinishReason\": ...}: " + value);
                } else {
                    assertTrue(node.get("finishReason").isNull(), value);
                }
            }
            assertEquals(reference(model, r), assertCompleteText(byRequest(chunks).get("j1"), "j1", 20));
        }
    }

    @Test
    void badRecordsBecomeDeadLettersAndErrorChunksAndTheServiceGoesOn() {
        ServiceConfig config = config("gst-dead-letters", stateDir, Map.of());
        String bootstrap = kafka.bootstrapServers();
        byte[] garbage = "definitely not a request".getBytes(StandardCharsets.UTF_8);
        GenerationRequest unknownChar = request("bad-chars", "s-unknown", "Zebra", 10, 1).build(); // 'Z' is not in the vocabulary
        try (GenerationService service = start(config)) {
            ServiceTestSupport.sendRaw(bootstrap, List.of(new ProducerRecord<>(config.topics().requests(), "s-garbage", garbage)));
            send(bootstrap, config.topics().requests(), List.of(unknownChar));

            List<ConsumerRecord<String, byte[]>> dead = readUntil(bootstrap, config.topics().deadLetters(), rs -> rs.size() >= 2, RESULT_TIMEOUT);
            assertEquals(2, dead.size(), "one dead letter per bad record");
            for (ConsumerRecord<String, byte[]> d : dead) {
                Header reason = d.headers().lastHeader(GenerationProcessor.ERROR_HEADER);
                assertNotNull(reason, "the reason header on the dead letter of " + d.key());
                assertFalse(new String(reason.value(), StandardCharsets.UTF_8).isBlank());
                if (d.key().equals("s-garbage")) assertTrue(Arrays.equals(garbage, d.value()), "the original bytes are kept");
                else assertEquals("s-unknown", d.key());
            }

            // A valid request on each session that had a bad one: neither the task nor the session is stuck.
            List<GenerationRequest> good = List.of(request("ok-1", "s-garbage", "the dog", 15, 2).build(),
                    request("ok-2", "s-unknown", "brown", 15, 3).build());
            send(bootstrap, config.topics().requests(), good);
            List<ConsumerRecord<String, byte[]>> records = readUntil(bootstrap, config.topics().chunks(),
                    ServiceTestSupport.allDone(List.of("", "bad-chars", "ok-1", "ok-2")), RESULT_TIMEOUT);
            assertDone(records, List.of("", "bad-chars", "ok-1", "ok-2"));
            Map<String, List<GenerationChunk>> byRequest = byRequest(decode(records));

            GenerationChunk garbageError = byRequest.get("").get(0);
            assertEquals("s-garbage", garbageError.getSessionId());
            assertEquals(FinishReason.ERROR, garbageError.getFinishReason());
            assertTrue(garbageError.getError().contains("not a GenerationRequest"), garbageError.getError());
            GenerationChunk charError = byRequest.get("bad-chars").get(0);
            assertEquals(List.of(charError), byRequest.get("bad-chars"), "an error is one chunk");
            assertEquals(FinishReason.ERROR, charError.getFinishReason());
            assertTrue(charError.getError().contains("seedText"), charError.getError());
            assertTrue(charError.getError().contains("Z"), charError.getError());

            assertEveryRequestGeneratesItsReferenceText(good, decode(records));
        }
    }

    @Test
    void atLeastOnceCompletesEveryRequest() {
        ServiceConfig config = config("gst-at-least-once", stateDir, Map.of(ServiceConfig.GUARANTEE, StreamsConfig.AT_LEAST_ONCE));
        List<GenerationRequest> requests = fiveSessions();
        try (GenerationService service = start(config)) {
            send(kafka.bootstrapServers(), config.topics().requests(), requests);
            List<ConsumerRecord<String, byte[]>> records = readUntil(kafka.bootstrapServers(), config.topics().chunks(),
                    ServiceTestSupport.allDone(ids(requests)), RESULT_TIMEOUT);
            assertDone(records, ids(requests));
            // At least once: a reader drops repeated (requestId, index) pairs, as the config's doc says.
            assertEveryRequestGeneratesItsReferenceText(requests, dedupe(decode(records)));
        }
    }

    /**
     * Kafka Streams stays in its consumer group on a plain close; the group then keeps the stopped member
     * until session.timeout.ms (45 s) has passed, and a restarted instance waits that long to rebalance.
     */
    private static void assertLeftGroup(String group) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(5, TimeUnit.SECONDS);
                if (d.members().isEmpty()) return;
                if (System.nanoTime() > deadline) {
                    fail("after close() the consumer group " + group + " still has " + d.members().size() + " member(s): close() must leave "
                            + "the group (CloseOptions LEAVE_GROUP), or a restart waits session.timeout.ms (45 s) for a rebalance");
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aRestartedServiceContinuesASessionWhereItStopped() throws Exception {
        ServiceConfig config = config("gst-restart", stateDir, Map.of());
        String bootstrap = kafka.bootstrapServers();
        GenerationRequest first = request("before", "s", "the lazy", 12, 21).build();
        GenerationRequest second = request("after", "s", "", 18, 21).build(); // empty seed: continue the session
        GenerationService service = start(config);
        String before;
        try {
            send(bootstrap, config.topics().requests(), List.of(first));
            List<ConsumerRecord<String, byte[]>> records = readUntil(bootstrap, config.topics().chunks(),
                    ServiceTestSupport.allDone(List.of("before")), RESULT_TIMEOUT);
            assertDone(records, List.of("before"));
            before = assertCompleteText(byRequest(decode(records)).get("before"), "before", 12);
        } finally {
            service.close();
        }
        assertEquals(KafkaStreams.State.NOT_RUNNING, service.state(), "close() waits until the service has stopped");

        assertLeftGroup(config.getString(ServiceConfig.APPLICATION_ID));

        try (GenerationService restarted = start(config)) {
            send(bootstrap, config.topics().requests(), List.of(second));
            List<ConsumerRecord<String, byte[]>> records = readUntil(bootstrap, config.topics().chunks(),
                    ServiceTestSupport.allDone(List.of("before", "after")), RESULT_TIMEOUT);
            assertDone(records, List.of("before", "after"));
            Map<String, List<GenerationChunk>> byRequest = byRequest(decode(records));
            assertEquals(before, assertCompleteText(byRequest.get("before"), "before", 12), "nothing was generated twice");
            String after = assertCompleteText(byRequest.get("after"), "after", 18);
            // The continuation feeds the last sampled character first, so 12 + 18 equal one request of 30.
            assertEquals(reference(model, "the lazy", 30, 1.0, 0, 21, "s"), before + after);
        }
    }
}
