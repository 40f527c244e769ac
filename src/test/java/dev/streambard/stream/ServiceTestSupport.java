package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streambard.contract.Contracts;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.engine.Generator;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.SamplingParams;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the service's integration tests share: a tiny random-weight model with its slow reference
 * (the single-session {@link Generator}), per-test configs, and plain Kafka clients.
 */
public final class ServiceTestSupport {
    public static final Vocabulary VOCAB = Vocabulary.fromText("the quick brown fox jumps over a lazy dog, then sleeps.\n");
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

    private ServiceTestSupport() {
    }

    /** Embedding 8, one LSTM layer of 16 units, random weights (seed 7): fast, and its text is deterministic. */
    public static ServingModel tinyModel(long version) {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB.size(), 8, 16, 1, 0);
        TrainingConfig training = new TrainingConfig(10, 4, 1e-2, 1, 1, 0.1, 7);
        CharModel m = CharModel.create(config, training, VOCAB);
        return new ServingModel(new InferenceEngine(m.weights()), VOCAB, version);
    }

    /** The text the service must produce for this request: the same model, one session, no batching, no Kafka. */
    public static String reference(ServingModel model, String seed, int chars, double temperature, int topK, long rngSeed, String session) {
        StringBuilder sb = new StringBuilder();
        new Generator(model.engine(), model.vocabulary())
                .generate(seed, chars, new SamplingParams(temperature, topK, false), rngSeed, session, sb::append);
        return sb.toString();
    }

    static String reference(ServingModel model, GenerationRequest r) {
        return reference(model, r.getSeedText(), r.getMaxChars(), r.getTemperature(), r.getTopK(), r.getRngSeed(), r.getSessionId());
    }

    /** Own application id and topics per test, so tests on one broker never see each other's records. */
    public static ServiceConfig config(String name, Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>();
        values.put(ServiceConfig.APPLICATION_ID, name);
        values.put(ServiceConfig.REQUESTS_TOPIC, name + ".requests");
        values.put(ServiceConfig.CHUNKS_TOPIC, name + ".chunks");
        values.put(ServiceConfig.DEAD_LETTERS_TOPIC, name + ".dead-letters");
        values.put(ServiceConfig.PARTITIONS, 2);
        values.put(ServiceConfig.STATE_DIR, stateDir.toString());
        values.putAll(overrides);
        return new ServiceConfig(values);
    }

    static GenerationRequest.Builder request(String id, String session, String seed, int chars, long rngSeed) {
        return GenerationRequest.newBuilder().setRequestId(id).setSessionId(session).setSeedText(seed)
                .setMaxChars(chars).setRngSeed(rngSeed);
    }

    /** Sends the requests keyed by session id, Avro-encoded, and waits until the broker has them. */
    static void send(String bootstrap, String topic, Collection<GenerationRequest> requests) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (GenerationRequest r : requests) {
            records.add(new ProducerRecord<>(topic, r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r)));
        }
        sendRaw(bootstrap, records);
    }

    static void sendRaw(String bootstrap, List<ProducerRecord<String, byte[]>> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            var futures = records.stream().map(producer::send).toList();
            for (var f : futures) f.get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not produce to " + bootstrap, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A consumer without a group, on every partition of {@code topic} from the beginning, committed records only. */
    static KafkaConsumer<String, byte[]> committedReader(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Reads {@code topic} from the beginning, committed records only, until {@code done} holds for what was
     * read or {@code timeout} passes; returns what was read either way (callers assert on it).
     */
    static List<ConsumerRecord<String, byte[]>> readUntil(String bootstrap, String topic,
                                                          Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = committedReader(bootstrap, topic)) {
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) out.add(r);
            }
        }
        return out;
    }

    static List<GenerationChunk> decode(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> Contracts.GENERATION_CHUNK.decode(r.value())).toList();
    }

    /** True once each of {@code requestIds} has a done chunk among the (Avro or JSON) chunk records. */
    static Predicate<List<ConsumerRecord<String, byte[]>>> allDone(Collection<String> requestIds) {
        return records -> {
            Set<String> done = new HashSet<>();
            for (GenerationChunk c : decode(records)) if (c.getDone()) done.add(c.getRequestId());
            return done.containsAll(requestIds);
        };
    }

    /** Chunks by request id, in the order read (a request's chunks share a key, so one partition and its order). */
    static Map<String, List<GenerationChunk>> byRequest(List<GenerationChunk> chunks) {
        Map<String, List<GenerationChunk>> out = new LinkedHashMap<>();
        for (GenerationChunk c : chunks) out.computeIfAbsent(c.getRequestId(), k -> new ArrayList<>()).add(c);
        return out;
    }

    /** Keeps the first copy of each (requestId, index): what an at-least-once reader must do. */
    static List<GenerationChunk> dedupe(List<GenerationChunk> chunks) {
        Set<String> seen = new HashSet<>();
        List<GenerationChunk> out = new ArrayList<>();
        for (GenerationChunk c : chunks) if (seen.add(c.getRequestId() + "\u0000" + c.getIndex())) out.add(c);
        return out;
    }

    /**
     * Asserts that one request's chunks are contiguous from index 0 without duplicates, hold exactly
     * {@code maxChars} characters, and end with the only done chunk, finish reason LENGTH; returns the text.
     */
    static String assertCompleteText(List<GenerationChunk> chunks, String requestId, int maxChars) {
        assertNotNull(chunks, "no chunks for " + requestId);
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < chunks.size(); i++) {
            GenerationChunk c = chunks.get(i);
            assertEquals(next, c.getIndex(), requestId + ": chunk " + i + " index (a gap or a duplicate)");
            assertEquals(i == chunks.size() - 1, c.getDone(), requestId + ": only the last chunk is done (chunk " + i + ")");
            sb.append(c.getText());
            next += c.getText().codePointCount(0, c.getText().length());
        }
        GenerationChunk last = chunks.get(chunks.size() - 1);
        assertEquals(FinishReason.LENGTH, last.getFinishReason(), requestId + ": finish reason; error " + last.getError());
        assertEquals(maxChars, next, requestId + ": characters generated");
        return sb.toString();
    }

    static void assertDone(List<ConsumerRecord<String, byte[]>> records, Collection<String> requestIds) {
        if (allDone(requestIds).test(records)) return;
        Set<String> done = new HashSet<>();
        for (GenerationChunk c : decode(records)) if (c.getDone()) done.add(c.getRequestId());
        Set<String> missing = new HashSet<>(requestIds);
        missing.removeAll(done);
        fail("no done chunk within " + RESULT_TIMEOUT.toSeconds() + " s for " + missing + " (" + records.size() + " chunks read)");
    }
}
