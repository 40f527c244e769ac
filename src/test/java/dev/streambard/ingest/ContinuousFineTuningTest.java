package dev.streambard.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.TestFolders;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.cli.Main;
import dev.streambard.contract.CandidateOutcome;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.kafka.Clients;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.model.CharModel;
import dev.streambard.model.TrainingProgress;
import dev.streambard.stream.CheckpointFollower;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous fine-tuning on a real (embedded) broker: text ingested to the corpus topic becomes a
 * candidate, the gate promotes or rejects it, and a running service swaps promoted versions in while a
 * long generation is in flight; corrupt checkpoints are refused and `promote` rolls back.
 */
class ContinuousFineTuningTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    @TempDir
    static Path kafkaDir;
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    /** Topics and store of one test; rounds start at 2,000 new characters. */
    private Map<String, Object> settings(String name, Map<String, Object> overrides) {
        Map<String, Object> s = new HashMap<>();
        s.put(TrainerConfig.MODEL_NAME, name);
        s.put(TrainerConfig.STORE, dir.resolve("store").toString());
        s.put(TrainerConfig.CORPUS_TOPIC, name + ".corpus");
        s.put(TrainerConfig.CHECKPOINTS_TOPIC, name + ".checkpoints");
        s.put(TrainerConfig.CANDIDATES_TOPIC, name + ".candidates");
        s.put(TrainerConfig.ROUND_MIN_CHARS, 2_000);
        s.put(TrainerConfig.ROUND_EPOCHS, 3);
        s.put(TrainerConfig.GATE_BASE_MARGIN, 0.5);
        s.putAll(overrides);
        return s;
    }

    /** Writes the tiny base model to a folder and has the trainer promote it as version 1. */
    private TrainerSetup.Prepared versionOne(TrainerConfig config, CheckpointStore store) {
        Path initial = dir.resolve("initial");
        CharModel base = TestTexts.tinyModel();
        CheckpointFiles.write(initial, base.toCheckpoint(TrainingProgress.start()));
        TrainerSetup.ensureTopics(config, kafka.bootstrapServers());
        return TrainerSetup.prepare(config, kafka.bootstrapServers(), store, new TrainerSetup.Init.FromCheckpoint(initial), TestTexts.BASE, log);
    }

    private TrainingConsumer trainer(TrainerConfig config, CheckpointStore store, TrainerSetup.Prepared p) {
        return new TrainingConsumer(config, kafka.bootstrapServers(), store, p.start(), p.baseEncoded(), log);
    }

    private void ingest(TrainerConfig config, String source, String text) throws Exception {
        try (CorpusPublisher publisher = new CorpusPublisher(kafka.bootstrapServers(), config.getString(TrainerConfig.CORPUS_TOPIC), 500)) {
            publisher.publish(source, new StringReader(text));
        }
    }

    private static ServiceConfig serviceConfig(String name, Path stateDir, Map<String, Object> overrides) {
        Map<String, Object> v = new HashMap<>();
        v.put(ServiceConfig.APPLICATION_ID, name);
        v.put(ServiceConfig.REQUESTS_TOPIC, name + ".requests");
        v.put(ServiceConfig.CHUNKS_TOPIC, name + ".chunks");
        v.put(ServiceConfig.DEAD_LETTERS_TOPIC, name + ".dead-letters");
        v.put(ServiceConfig.CHECKPOINTS_TOPIC, name + ".checkpoints");
        v.put(ServiceConfig.MODEL_NAME, name);
        v.put(ServiceConfig.PARTITIONS, 1);
        v.put(ServiceConfig.STATE_DIR, stateDir.toString());
        v.putAll(overrides);
        return new ServiceConfig(v);
    }

    /** Records what the follower did. */
    private static final class Swaps implements CheckpointFollower.Listener {
        final List<Long> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void swapped(ServingModel previous, ServingModel now, Duration loading) {
            versions.add(now.version());
        }

        @Override
        public void refused(CheckpointEvent event, String reason) {
            refusals.add(reason);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private static List<CheckpointEvent> events(String topic) {
        List<CheckpointEvent> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = Clients.reader(kafka.bootstrapServers(), topic, TIMEOUT)) {
            Map<org.apache.kafka.common.TopicPartition, Long> end = reader.endOffsets(reader.assignment());
            while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) out.add(Contracts.CHECKPOINT_EVENT.decode(r.value()));
            }
        }
        return out;
    }

    private static void send(String topic, GenerationRequest r) throws Exception {
        try (KafkaProducer<String, byte[]> p = Clients.producer(kafka.bootstrapServers(), Map.of())) {
            p.send(new ProducerRecord<>(topic, r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r))).get();
        }
    }

    @Test
    void aPromotedVersionIsSwappedInWhileALongGenerationGoesOnWithoutAGap() throws Exception {
        String name = "ft-swap";
        TrainerConfig config = new TrainerConfig(settings(name, Map.of()));
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        TrainerSetup.Prepared p = versionOne(config, store);
        assertEquals(1, p.start().lineage().version());

        ServiceConfig sc = serviceConfig(name, dir.resolve("state"), Map.of(ServiceConfig.MAX_CHARS, 50_000_000, ServiceConfig.CHUNK_CHARS, 20));
        AtomicReference<ServingModel> serving = new AtomicReference<>();
        Swaps swaps = new Swaps();
        GenerationService.ensureTopics(sc, kafka.bootstrapServers());
        try (CheckpointFollower follower = new CheckpointFollower(kafka.bootstrapServers(), name + ".checkpoints", name, serving, swaps);
             GenerationService service = GenerationService.start(sc, kafka.bootstrapServers(), serving, TIMEOUT);
             KafkaConsumer<String, byte[]> chunks = Clients.reader(kafka.bootstrapServers(), sc.topics().chunks(), TIMEOUT)) {
            assertEquals(1, serving.get().version(), "the latest promoted version serves from the start");
            GenerationRequest long_ = GenerationRequest.newBuilder().setRequestId("long").setSessionId("s1").setSeedText("the sea")
                    .setMaxChars(50_000_000).setRngSeed(3L).build();
            send(sc.topics().requests(), long_);
            List<GenerationChunk> got = new ArrayList<>();
            await(() -> { poll(chunks, got); return !got.isEmpty(); }, "the first chunk");

            ingest(config, "rhymes", TestTexts.NEW_STYLE);
            try (TrainingConsumer trainer = trainer(config, store, p)) {
                trainer.run(1);
                assertEquals(2, trainer.lineage().version(), "the round was promoted: " + logBytes);
            }
            await(() -> { poll(chunks, got); return got.stream().anyMatch(c -> c.getModelVersion() == 2); }, "a chunk from version 2");
            send(sc.topics().requests(), GenerationRequest.newBuilder().setRequestId("stop").setSessionId("s1").setMaxChars(1).setCancel(true).build());
            await(() -> { poll(chunks, got); return got.stream().anyMatch(GenerationChunk::getDone); }, "the cancelled end");

            int next = 0;
            long version = 1;
            for (GenerationChunk c : got) {
                assertEquals(next, c.getIndex(), "no gap and no duplicate in the output");
                assertTrue(c.getModelVersion() >= version, "versions never go back");
                version = c.getModelVersion();
                next += c.getText().codePointCount(0, c.getText().length());
            }
            assertEquals(1, got.get(0).getModelVersion());
            assertEquals(FinishReason.CANCELLED, got.get(got.size() - 1).getFinishReason());
            assertEquals(List.of(1L, 2L), swaps.versions);
            assertEquals(0, follower.refusals());
        }
        Lineage v2 = CheckpointFiles.read(store.folder(2), false).lineage();
        assertEquals(1L, v2.parentVersion());
        assertEquals(TestTexts.NEW_STYLE.length(), v2.charactersTrained());
        List<CheckpointEvent> promoted = events(name + ".checkpoints");
        CheckpointEvent last = promoted.get(promoted.size() - 1);
        assertEquals(2, last.getVersion());
        assertTrue(last.getNewTextLoss() < last.getNewTextLossBefore(), "the event carries the losses");
        assertEquals(v2.sourceOffsets(), last.getSourceOffsets().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)));
    }

    private static void poll(KafkaConsumer<String, byte[]> chunks, List<GenerationChunk> into) {
        for (ConsumerRecord<String, byte[]> r : chunks.poll(Duration.ofMillis(100))) into.add(Contracts.GENERATION_CHUNK.decode(r.value()));
    }

    @Test
    void aRejectedCandidateIsAnnouncedWithItsReasonAndTheVersionStays() throws Exception {
        String name = "ft-reject";
        TrainerConfig config = new TrainerConfig(settings(name, Map.of(TrainerConfig.GATE_NEW_IMPROVEMENT, 100.0)));
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        TrainerSetup.Prepared p = versionOne(config, store);
        ingest(config, "rhymes", TestTexts.NEW_STYLE);
        try (TrainingConsumer trainer = trainer(config, store, p)) {
            trainer.run(1);
            assertEquals(1, trainer.lineage().version());
            assertEquals(1.0, trainer.metrics().value("rejected-total"));
            assertEquals(0.0, trainer.metrics().value("promoted-total"));
        }
        assertEquals(1, store.highestVersion(), "a rejected candidate is not kept");
        List<CheckpointEvent> candidates = events(name + ".candidates");
        CheckpointEvent rejected = candidates.get(candidates.size() - 1);
        assertEquals(CandidateOutcome.REJECTED, rejected.getOutcome());
        assertEquals(2, rejected.getVersion());
        assertTrue(rejected.getReason().toString().startsWith("it did not learn the new text"), rejected.getReason().toString());
        List<CheckpointEvent> promoted = events(name + ".checkpoints");
        assertEquals(1, promoted.size(), "services never hear of it");
        assertEquals(1, promoted.get(0).getVersion());
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("rejected candidate 2"), logBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownCharactersAreCountedAndDroppedNotFatal() throws Exception {
        String name = "ft-unknown";
        String accented = TestTexts.NEW_STYLE.replace("shoe", "shoé").replace("door", "dóór");
        long unknownInFile = accented.chars().filter(c -> c == 'é' || c == 'ó').count();
        long known = accented.length() - unknownInFile + "one, two, buckle my sho.\n".length();
        // The round starts once all of it has arrived, whatever the polls bring at a time.
        TrainerConfig config = new TrainerConfig(settings(name, Map.of(TrainerConfig.ROUND_MIN_CHARS, (int) known)));
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        TrainerSetup.Prepared p = versionOne(config, store);
        ingest(config, "accents", accented);
        String json = "{\"sourceId\": \"kcat\", \"text\": \"one, two, buckle my shoé.\\n\"}"; // Avro's JSON form, as a shell script sends it
        try (KafkaProducer<String, byte[]> producer = Clients.producer(kafka.bootstrapServers(), Map.of())) {
            producer.send(new ProducerRecord<>(name + ".corpus", "junk", "neither avro nor json".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(name + ".corpus", "kcat", json.getBytes(StandardCharsets.UTF_8))).get();
        }
        long unknown = unknownInFile + 1; // the é in the JSON record
        try (TrainingConsumer trainer = trainer(config, store, p)) {
            trainer.run(1);
            assertEquals(unknown, (long) trainer.metrics().value("unknown-chars-total"));
            assertEquals(1.0, trainer.metrics().value("rounds-total"), "the round still ran");
            assertEquals(1.0, trainer.metrics().value("bad-records-total"), "the undecodable record was skipped and counted");
            assertEquals(known, trainer.lineage().charactersTrained(),
                    "Avro and JSON records were both learned, unknown characters dropped");
        }
        String logText = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(logText.contains("outside the vocabulary") && logText.contains("é ×"), logText);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndRollingBackSwapsAnOlderVersionIn() throws Exception {
        String name = "ft-refuse";
        // The trainer announces on a topic of its own; this test decides what the service's topic carries.
        TrainerConfig config = new TrainerConfig(settings(name, Map.of(TrainerConfig.CHECKPOINTS_TOPIC, name + ".trained")));
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        TrainerSetup.Prepared p = versionOne(config, store);
        ingest(config, "rhymes", TestTexts.NEW_STYLE);
        try (TrainingConsumer trainer = trainer(config, store, p)) {
            trainer.run(1);
        }
        List<CheckpointEvent> trained = events(name + ".trained");
        CheckpointEvent v1 = trained.get(0);
        CheckpointEvent v2 = trained.get(1);
        // A third version whose weights were damaged after its manifest was written.
        Path v3 = store.folder(3);
        TestFolders.copy(store.folder(2), v3);
        Path weights = v3.resolve("weights.bin");
        TestFolders.flipByte(weights, Files.size(weights) / 2);

        Map<String, Object> serviceSide = settings(name, Map.of());
        TrainerSetup.ensureTopics(new TrainerConfig(serviceSide), kafka.bootstrapServers());
        AtomicReference<ServingModel> serving = new AtomicReference<>();
        Swaps swaps = new Swaps();
        try (CheckpointEvents events = new CheckpointEvents(kafka.bootstrapServers(), name + ".checkpoints", name + ".candidates")) {
            events.promoted(v1);
            try (CheckpointFollower follower = new CheckpointFollower(kafka.bootstrapServers(), name + ".checkpoints", name, serving, swaps)) {
                assertEquals(1, serving.get().version());

                events.promoted(CheckpointEvent.newBuilder(v2).setVersion(3).setParentVersion(2L).setUri(CheckpointStore.uri(v3).toString()).build());
                await(() -> follower.refusals() == 1, "the damaged version's refusal");
                assertEquals(1, serving.get().version(), "the current model keeps serving");
                assertTrue(swaps.refusals.get(0).contains("weights.bin"), swaps.refusals.get(0));

                events.promoted(CheckpointEvent.newBuilder(v2).setVersion(4).setSha256("0".repeat(64)).build());
                await(() -> follower.refusals() == 2, "the refusal of a checkpoint that is not the one announced");
                assertTrue(swaps.refusals.get(1).contains("but the event announced"), swaps.refusals.get(1));
                assertEquals(1, serving.get().version());

                events.promoted(v2);
                await(() -> serving.get().version() == 2, "version 2");

                Path configFile = dir.resolve("promote.properties");
                StringBuilder props = new StringBuilder();
                serviceSide.forEach((k, v) -> props.append(k).append('=').append(v.toString().replace("\\", "\\\\")).append('\n'));
                Files.writeString(configFile, props);
                String[] promote = {"promote", "--bootstrap-servers", kafka.bootstrapServers(), "--config", configFile.toString(), "--version"};
                assertEquals(0, Main.run(concat(promote, "1")));
                await(() -> serving.get().version() == 1, "the rollback to version 1");
                assertEquals(List.of(1L, 2L, 1L), swaps.versions);
                assertEquals(2, Main.run(concat(promote, "9")), "a version that does not exist");
                assertEquals(2, Main.run(concat(promote, "3")), "a damaged version");
            }
        }
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    @Test
    void ingestPublishesFilesAndRefusesInvalidUtf8() throws Exception {
        String name = "ft-ingest";
        Path config = dir.resolve("ingest.properties");
        Files.writeString(config, TrainerConfig.CORPUS_TOPIC + "=" + name + ".corpus\n");
        Path file = Files.writeString(dir.resolve("rhymes.txt"), TestTexts.NEW_STYLE);
        Path bad = Files.write(dir.resolve("latin1.txt"), new byte[]{'o', 'k', ' ', (byte) 0xE9, '\n'});
        Path badConfig = Files.writeString(dir.resolve("bad.properties"), TrainerConfig.CORPUS_TOPIC + "=" + name + "-bad.corpus\n");
        assertEquals(0, Main.run("ingest", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--config", config.toString(),
                "--chunk-chars", "1000"));
        assertEquals(2, Main.run("ingest", bad.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--config", badConfig.toString()),
                "invalid UTF-8 is refused");
        assertEquals(2, Main.run("ingest", dir.resolve("missing.txt").toString(), "--bootstrap-servers", kafka.bootstrapServers()),
                "a missing file is refused");
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("piped text\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(0, Main.run("ingest", "-", "--bootstrap-servers", kafka.bootstrapServers(), "--config", config.toString()));
        } finally {
            System.setIn(stdin);
        }
        StringBuilder text = new StringBuilder();
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = Clients.reader(kafka.bootstrapServers(), name + ".corpus", TIMEOUT)) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (text.length() < TestTexts.NEW_STYLE.length() + "piped text\n".length() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    text.append(Contracts.CORPUS_TEXT.decode(r.value()).getText());
                    keys.add(r.key());
                }
            }
        }
        assertEquals(TestTexts.NEW_STYLE + "piped text\n", text.toString(), "the file, in order, in chunks, then standard input");
        assertTrue(keys.size() >= 5 && keys.subList(0, keys.size() - 1).stream().allMatch("rhymes.txt"::equals), "keyed by the file name: " + keys);
        assertEquals("stdin", keys.get(keys.size() - 1));
    }

    @Test
    void aSecondTrainerForTheSameModelIsRefused() {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), "ft-lock");
        try (TrainerLock first = TrainerLock.acquire(store.modelFolder(), store.modelName())) {
            TrainerException e = assertThrows(TrainerException.class, () -> TrainerLock.acquire(store.modelFolder(), store.modelName()));
            assertTrue(e.getMessage().contains("another trainer is already running for model 'ft-lock'"), e.getMessage());
        }
        TrainerLock.acquire(store.modelFolder(), store.modelName()).close(); // released with the first
    }

    @Test
    void withNoVersionAndNoStartingModelTheTrainerSaysWhatToDo() {
        String name = "ft-empty";
        TrainerConfig config = new TrainerConfig(settings(name, Map.of()));
        TrainerSetup.ensureTopics(config, kafka.bootstrapServers());
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        TrainerException e = assertThrows(TrainerException.class,
                () -> TrainerSetup.prepare(config, kafka.bootstrapServers(), store, null, TestTexts.BASE, log));
        assertTrue(e.getMessage().contains("--init DIR") && e.getMessage().contains("--fresh"), e.getMessage());
    }

    @Test
    void aFreshModelBecomesVersionOneAfterItsFirstRound() throws Exception {
        String name = "ft-fresh";
        TrainerConfig config = new TrainerConfig(settings(name, Map.of()));
        TrainerSetup.ensureTopics(config, kafka.bootstrapServers());
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), name);
        CharModel shape = TestTexts.tinyModel();
        TrainerSetup.Prepared p = TrainerSetup.prepare(config, kafka.bootstrapServers(), store,
                new TrainerSetup.Init.Fresh(shape.config(), shape.training()), TestTexts.BASE, log);
        assertEquals(null, p.start().lineage());
        assertTrue(events(name + ".checkpoints").isEmpty(), "nothing is promoted before a round");
        ingest(config, "rhymes", TestTexts.NEW_STYLE);
        try (TrainingConsumer trainer = trainer(config, store, p)) {
            trainer.run(1);
            assertNotNull(trainer.lineage(), logBytes.toString(StandardCharsets.UTF_8));
            assertEquals(1, trainer.lineage().version());
            assertEquals(null, trainer.lineage().parentVersion());
        }
        assertFalse(events(name + ".checkpoints").isEmpty());
    }
}
