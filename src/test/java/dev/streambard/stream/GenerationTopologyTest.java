package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.contract.ContractCodec;
import dev.streambard.contract.ContractSerde;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.contract.SessionState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationTopologyTest {
    private static final Vocabulary VOCAB = Vocabulary.fromText("abcdefgh ,.!\n");
    private static ServingModel model;
    private static final ContractCodec<GenerationRequest> REQUESTS = Contracts.GENERATION_REQUEST;
    private static final ContractSerde<GenerationChunk> CHUNKS = ContractSerde.avro(Contracts.GENERATION_CHUNK);
    private static final ContractSerde<SessionState> SESSIONS = ContractSerde.avro(ContractCodec.of(SessionState.class));

    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> requests;
    TestOutputTopic<String, GenerationChunk> chunks;
    private TestOutputTopic<String, byte[]> deadLetters;
    ServiceMetrics metrics;
    private StepAhead stepAhead;

    @BeforeAll
    static void model() {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB.size(), 8, 16, 1, 0);
        TrainingConfig training = new TrainingConfig(10, 4, 1e-2, 1, 1, 0.1, 7);
        CharModel m = CharModel.create(config, training, VOCAB);
        model = new ServingModel(new InferenceEngine(m.weights()), VOCAB, 3);
    }

    @BeforeEach
    void start() {
        driver = driver(StreamSettings.defaults());
    }

    /** How batches step between slices: not at all here; {@link GenerationTopologyStepAheadTest} runs these tests with it. */
    StepAhead stepAhead() {
        return StepAhead.disabled();
    }

    /** What happens between two ticks besides the test's own work (the subclass lets a background batch step). */
    void betweenTicks() {
    }

    TopologyTestDriver driver(StreamSettings settings) {
        return driver(settings, ArrivalSignal.NONE);
    }

    private TopologyTestDriver driver(StreamSettings settings, ArrivalSignal arrivals) {
        if (driver != null) driver.close();
        if (stepAhead != null) stepAhead.close();
        stepAhead = stepAhead();
        metrics = new ServiceMetrics();
        TopicNames topics = TopicNames.defaults();
        var topology = GenerationTopology.build(topics, settings, () -> model,
                new GenerationTopology.Codecs(REQUESTS::decode, CHUNKS, SESSIONS), metrics, arrivals, stepAhead);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        requests = driver.createInputTopic(topics.requests(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        chunks = driver.createOutputTopic(topics.chunks(), Serdes.String().deserializer(), CHUNKS.deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        return driver;
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
        if (stepAhead != null) stepAhead.close();
    }

    static GenerationRequest.Builder request(String id, String session, String seed, int chars) {
        return GenerationRequest.newBuilder().setRequestId(id).setSessionId(session).setSeedText(seed)
                .setMaxChars(chars).setRngSeed(11L);
    }

    void send(GenerationRequest r) {
        requests.pipeInput(r.getSessionId(), REQUESTS.encode(r));
    }

    /** Advances wall-clock time until every request has a done chunk (or a bound is hit); returns all chunks. */
    List<GenerationChunk> runUntilDone(int requestsExpected) {
        List<GenerationChunk> out = new ArrayList<>();
        int done = 0;
        for (int i = 0; i < 2_000 && done < requestsExpected; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(5));
            betweenTicks();
            for (GenerationChunk c : chunks.readValuesToList()) {
                out.add(c);
                if (c.getDone()) done++;
            }
        }
        assertEquals(requestsExpected, done, "done chunks");
        return out;
    }

    static String text(List<GenerationChunk> chunks, String requestId) {
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (GenerationChunk c : chunks) {
            if (!c.getRequestId().equals(requestId)) continue;
            assertEquals(next, c.getIndex(), "chunks of " + requestId + " in order, no gap, no duplicate");
            sb.append(c.getText());
            next += c.getText().codePointCount(0, c.getText().length());
        }
        return sb.toString();
    }

    @Test
    void generatesExactlyMaxCharsOneChunkPerCharacterThenDone() {
        send(request("r1", "s1", "abc", 25).build());
        List<GenerationChunk> out = runUntilDone(1);
        assertEquals(25, text(out, "r1").length());
        GenerationChunk last = out.get(out.size() - 1);
        assertTrue(last.getDone());
        assertEquals(FinishReason.LENGTH, last.getFinishReason());
        assertEquals(3, last.getModelVersion());
        assertEquals(25, out.size(), "one character per chunk, the last one carries done");
        for (String ch : text(out, "r1").split("")) assertTrue(VOCAB.indexOf(ch.codePointAt(0)) >= 0);
    }

    @Test
    void aContinuationGivesTheSameTextAsOneLongRequest() {
        send(request("long", "a", "abc", 30).build());
        String whole = text(runUntilDone(1), "long");

        send(request("first", "b", "abc", 12).build());
        String first = text(runUntilDone(1), "first");
        send(request("second", "b", "", 18).build()); // no seed: continue the session
        String second = text(runUntilDone(1), "second");
        // Session ids differ, so the random draws differ; compare against the same session instead.
        driver(StreamSettings.defaults());
        send(request("long-again", "a", "abc", 30).setReset(true).build());
        assertEquals(whole, text(runUntilDone(1), "long-again"), "the same request gives the same text");
        send(request("y1", "a", "abc", 12).setReset(true).build());
        String part1 = text(runUntilDone(1), "y1");
        send(request("y2", "a", "", 18).build());
        String part2 = text(runUntilDone(1), "y2");
        assertEquals(whole, part1 + part2, "12 + 18 continued characters equal one 30-character request");
        assertEquals(30, (first + second).length());
    }

    @Test
    void stopSequenceEndsBeforeItAndIsNeverEmitted() {
        send(request("probe", "s", "abc", 60).build());
        String free = text(runUntilDone(1), "probe");
        String stop = free.substring(20, 23);
        int at = free.indexOf(stop);
        driver(StreamSettings.defaults());
        send(request("probe2", "s", "abc", 60).setStopSequences(List.of(stop)).build());
        List<GenerationChunk> out = runUntilDone(1);
        assertEquals(free.substring(0, at), text(out, "probe2"));
        assertEquals(FinishReason.STOP, out.get(out.size() - 1).getFinishReason());
    }

    @Test
    void cancelEndsTheRunningRequestAndDropsQueuedOnes() {
        // A request longer than any slice (and the steps between two, where the batch steps on) can make.
        driver(new StreamSettings(1_000_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(20), 1, 16, Duration.ofHours(24)));
        send(request("long", "s", "abc", 1_000_000).build());
        driver.advanceWallClockTime(Duration.ofMillis(5));
        send(request("queued", "s", "", 5).build());
        send(request("stop-it", "s", "", 1).setCancel(true).build());
        List<GenerationChunk> out = chunks.readValuesToList();
        GenerationChunk cancelled = out.stream().filter(c -> c.getDone() && c.getRequestId().equals("long")).findFirst().orElseThrow();
        assertEquals(FinishReason.CANCELLED, cancelled.getFinishReason());
        assertTrue(out.stream().anyMatch(c -> c.getRequestId().equals("queued") && c.getFinishReason() == FinishReason.CANCELLED));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertTrue(chunks.isEmpty(), "nothing generated after a cancel");

        send(request("nothing", "never-seen", "", 1).setCancel(true).build());
        assertTrue(chunks.isEmpty(), "cancelling an unknown session is a no-op");
        KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
        assertNull(store.get("never-seen"), "and stores nothing");
    }

    @Test
    void aRequestForABusySessionWaitsItsTurn() {
        send(request("one", "s", "abc", 20).build());
        send(request("two", "s", "", 10).build());
        List<GenerationChunk> out = runUntilDone(2);
        int lastOfOne = -1;
        int firstOfTwo = Integer.MAX_VALUE;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).getRequestId().equals("one")) lastOfOne = i;
            if (out.get(i).getRequestId().equals("two")) firstOfTwo = Math.min(firstOfTwo, i);
        }
        assertTrue(lastOfOne < firstOfTwo, "the second request starts after the first ends");
        assertEquals(20, text(out, "one").length());
        assertEquals(10, text(out, "two").length());
    }

    @Test
    void manySessionsAreSteppedTogetherAndKeepTheirOwnOrder() {
        for (int s = 0; s < 40; s++) send(request("r" + s, "session-" + s, "ab", 15).build());
        List<GenerationChunk> out = runUntilDone(40);
        for (int s = 0; s < 40; s++) assertEquals(15, text(out, "r" + s).length());
    }

    @Test
    void badRequestsGetAnErrorChunkAndADeadLetterAndOthersGoOn() {
        send(request("ok", "good", "abc", 10).build());
        requests.pipeInput("s-bytes", "not a request".getBytes(StandardCharsets.UTF_8));
        requests.pipeInput((String) null, REQUESTS.encode(request("nokey", "x", "abc", 5).build()));
        requests.pipeInput("s-json", "{\"requestId\":\"j\"}".getBytes(StandardCharsets.UTF_8));
        send(request("unknown", "s-chars", "xyz", 5).build());
        send(request("zero", "s-zero", "abc", 0).build());
        send(request("huge", "s-huge", "abc", 10_001).build());
        send(request("hot", "s-temp", "abc", 5).setTemperature(0).build());
        send(request("nan", "s-nan", "abc", 5).setTemperature(Double.NaN).build());
        send(request("fresh", "s-fresh", "", 5).build());
        requests.pipeInput("other-key", REQUESTS.encode(request("mismatch", "s-mismatch", "abc", 5).build()));

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(10, dead.size(), "one dead letter per bad record");
        for (TestRecord<String, byte[]> d : dead) {
            assertNotNull(d.headers().lastHeader(GenerationProcessor.ERROR_HEADER), "reason header");
        }
        List<GenerationChunk> errors = new ArrayList<>(chunks.readValuesToList());
        assertEquals(9, errors.size(), "an ERROR chunk for every bad record that names a session");
        for (GenerationChunk e : errors) {
            assertEquals(FinishReason.ERROR, e.getFinishReason());
            assertTrue(e.getDone());
            assertFalse(e.getError().isBlank());
        }
        assertTrue(errorFor(errors, "s-chars").contains("'x'") || errorFor(errors, "s-chars").contains("x"), errorFor(errors, "s-chars"));
        assertTrue(errorFor(errors, "s-zero").contains("maxChars"));
        assertTrue(errorFor(errors, "s-huge").contains("maxChars"));
        assertTrue(errorFor(errors, "s-temp").contains("temperature"));
        assertTrue(errorFor(errors, "s-nan").contains("temperature"));
        assertTrue(errorFor(errors, "s-fresh").contains("seedText"));
        assertEquals(10, text(runUntilDone(1), "ok").length(), "the good request is unaffected");
    }

    private static String errorFor(List<GenerationChunk> errors, String session) {
        return errors.stream().filter(e -> e.getSessionId().equals(session)).findFirst().orElseThrow().getError();
    }

    @Test
    void sessionStateIsStoredAndIdleSessionsExpire() {
        driver = driver(new StreamSettings(10_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(50), 1, 16,
                Duration.ofSeconds(30)));
        send(request("r", "keep", "abc", 5).build());
        runUntilDone(1);
        KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
        SessionState s = store.get("keep");
        assertNotNull(s);
        assertNull(s.getActive());
        assertEquals(16 * Float.BYTES, s.getHidden().get(0).remaining(), "16 float32 units");
        assertEquals(3 + 5 - 1, s.getPosition(), "3 seed characters and 4 of the 5 sampled ones were fed");
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        assertNull(store.get("keep"), "expired after the TTL");
    }

    @Test
    void chunksCanCoalesceCharacters() {
        driver = driver(new StreamSettings(10_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(50), 4, 16,
                Duration.ofHours(1)));
        send(request("r", "s", "abc", 10).build());
        List<GenerationChunk> out = runUntilDone(1);
        assertEquals(List.of(4, 4, 2), out.stream().map(c -> c.getText().length()).toList());
        assertEquals(List.of(0, 4, 8), out.stream().map(GenerationChunk::getIndex).toList());
    }

    @Test
    void aModelSwappedBetweenSlicesWritesTheNextChunksAndIsRecordedInTheSession() {
        ServingModel v3 = model;
        driver(new StreamSettings(10_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(1), 1, 16, Duration.ofHours(24)));
        try {
            send(request("long", "s", "abc", 10_000).build());
            driver.advanceWallClockTime(Duration.ofMillis(5)); // one short slice with version 3
            List<GenerationChunk> out = new ArrayList<>(chunks.readValuesToList());
            assertFalse(out.isEmpty());
            assertFalse(out.get(out.size() - 1).getDone(), "still generating when the model changes");
            KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
            assertEquals(3, store.get("s").getModelVersion());

            model = new ServingModel(new InferenceEngine(v3.engine().weights()), VOCAB, 4); // what a hot swap does
            out.addAll(runUntilDone(1));
            int next = 0;
            for (GenerationChunk c : out) {
                assertEquals(next++, c.getIndex(), "no gap, no duplicate across the swap");
            }
            assertEquals(3, out.get(0).getModelVersion());
            assertEquals(4, out.get(out.size() - 1).getModelVersion());
            assertTrue(out.stream().mapToLong(GenerationChunk::getModelVersion).max().getAsLong() == 4);
            assertEquals(4, store.get("s").getModelVersion(), "the state records the version that last advanced it");
        } finally {
            model = v3;
        }
    }

    /** An arrival signal the test sets, recording what the processor tells it. */
    private static final class SetSignal implements ArrivalSignal {
        final List<Integer> owned = new ArrayList<>();
        final List<Long> processed = new ArrayList<>();
        volatile boolean waiting;

        @Override
        public void owned(int partition) {
            owned.add(partition);
        }

        @Override
        public void released(int partition) {
            owned.remove(Integer.valueOf(partition));
        }

        @Override
        public void processed(int partition, long offset) {
            processed.add(offset);
        }

        @Override
        public boolean waiting() {
            return waiting;
        }
    }

    @Test
    void aSliceEndsAfterOneStepWhileARequestWaitsToBePolled() {
        SetSignal signal = new SetSignal();
        // Slices of 300 ms: without a waiting request one slice samples many characters.
        driver(new StreamSettings(10_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(300), 1, 16, Duration.ofHours(24)), signal);
        assertEquals(List.of(0), signal.owned, "the task's partition is owned once it starts");
        send(request("a", "s1", "abc", 10_000).build());
        send(request("b", "s2", "abc", 10_000).build());
        requests.pipeInput((String) null, REQUESTS.encode(request("nokey", "x", "abc", 5).build()));
        requests.pipeInput("s3", new byte[]{1, 2, 3});
        assertEquals(List.of(0L, 1L, 2L, 3L), signal.processed,
                "each request's offset as it is taken, bad ones too (else every slice would stop after one step until the next good one)");
        assertEquals(2, deadLetters.readValuesToList().size());
        chunks.readValuesToList(); // their error chunks

        signal.waiting = true;
        driver.advanceWallClockTime(Duration.ofMillis(5));
        List<GenerationChunk> cut = chunks.readValuesToList();
        // Each session: its first character from reading the seed alone, then one batch step.
        assertEquals(4, cut.size(), "one step for both sessions, then the slice ends: " + cut);
        assertEquals(2, cut.stream().filter(c -> c.getIndex() == 1).count());

        signal.waiting = false;
        driver.advanceWallClockTime(Duration.ofMillis(5)); // the punctuation after a slice that followed records yields (PollPacing)
        driver.advanceWallClockTime(Duration.ofMillis(5));
        assertTrue(chunks.readValuesToList().size() > 4, "nothing waiting: the slice runs its length");
        driver.close();
        driver = null;
        assertEquals(List.of(), signal.owned, "released when the task closes");
    }
}
