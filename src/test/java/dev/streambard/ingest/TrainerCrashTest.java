package dev.streambard.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.cli.Main;
import dev.streambard.kafka.Clients;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.model.TrainingProgress;
import dev.streambard.stream.CliProcess;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer process killed with SIGKILL in the middle of a round, then restarted: it resumes from the
 * latest promoted version's offsets, so its next version has learned every ingested character exactly once.
 */
class TrainerCrashTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String NAME = "crash";
    private static final String FIRST = TestTexts.NEW_STYLE;
    private static final String SECOND = "the fox ran over the walls, and the gulls cried.\n".repeat(60);

    @TempDir
    static Path kafkaDir;
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    @Test
    void aTrainerKilledMidRoundResumesFromTheLatestPromotedOffsets() throws Exception {
        assertEquals(SECOND.length(), TestTexts.vocabulary().encode(SECOND).length, "the test's text fits the vocabulary");
        Path store = dir.resolve("store");
        Map<String, String> settings = Map.of(
                TrainerConfig.MODEL_NAME, NAME,
                TrainerConfig.STORE, store.toString(),
                TrainerConfig.CORPUS_TOPIC, NAME + ".corpus",
                TrainerConfig.CHECKPOINTS_TOPIC, NAME + ".checkpoints",
                TrainerConfig.CANDIDATES_TOPIC, NAME + ".candidates",
                TrainerConfig.ROUND_MIN_CHARS, "2000",
                TrainerConfig.ROUND_EPOCHS, "5", // a round of a few seconds: the kill lands inside it
                TrainerConfig.GATE_BASE_MARGIN, "10",
                TrainerConfig.GATE_NEW_IMPROVEMENT, "-10"); // this test is about offsets, not the gate
        Path config = CliProcess.writeConfig(dir.resolve("trainer.properties"), settings);
        Path initial = dir.resolve("initial");
        CheckpointFiles.write(initial, TestTexts.tinyModel().toCheckpoint(TrainingProgress.start()));
        Path base = Files.writeString(dir.resolve("base.txt"), TestTexts.BASE);
        TrainerConfig trainerConfig = new TrainerConfig(settings);
        TrainerSetup.ensureTopics(trainerConfig, kafka.bootstrapServers());
        List<String> trainer = List.of("trainer", "--base-corpus", base.toString(), "--init", initial.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--config", config.toString());

        ingest(FIRST);
        long afterFirst = endOffset();
        try (CliProcess first = CliProcess.run("trainer-1", dir, trainer)) {
            first.awaitError("promoted version 2", TIMEOUT);
            assertEquals(2, Main.run(trainer.toArray(String[]::new)), "a second trainer for the same model is refused");
            ingest(SECOND);
            first.awaitError("round for candidate version 3", TIMEOUT);
            assertEquals(137, first.kill());
            assertEquals(2, new CheckpointStore(store, NAME).highestVersion(), "killed inside the round: no version 3 yet\n" + first.logs());
        }

        List<String> again = new java.util.ArrayList<>(trainer);
        again.addAll(List.of("--rounds", "1"));
        try (CliProcess second = CliProcess.run("trainer-2", dir, again)) {
            assertEquals(0, second.awaitExit(TIMEOUT), second.logs());
            assertTrue(second.logs().contains("at version 2; reading " + NAME + ".corpus from offsets {" + NAME + ".corpus-0=" + afterFirst + "}"),
                    "it resumes where version 2 stopped\n" + second.logs());
        }
        CheckpointStore s = new CheckpointStore(store, NAME);
        Lineage v2 = CheckpointFiles.read(s.folder(2), false).lineage();
        Lineage v3 = CheckpointFiles.read(s.folder(3), false).lineage();
        assertEquals(Map.of(NAME + ".corpus-0", afterFirst), v2.sourceOffsets());
        assertEquals(FIRST.length(), v2.charactersTrained());
        assertEquals(2L, v3.parentVersion());
        assertEquals(Map.of(NAME + ".corpus-0", endOffset()), v3.sourceOffsets(), "everything ingested is learned");
        assertEquals(FIRST.length() + SECOND.length(), v3.charactersTrained(), "no text skipped, none learned twice");
    }

    private void ingest(String text) throws Exception {
        try (CorpusPublisher p = new CorpusPublisher(kafka.bootstrapServers(), NAME + ".corpus", 500)) {
            p.publish("test", new StringReader(text));
        }
    }

    private long endOffset() {
        try (KafkaConsumer<String, byte[]> c = Clients.reader(kafka.bootstrapServers(), NAME + ".corpus", Duration.ofSeconds(30))) {
            return c.endOffsets(List.of(new TopicPartition(NAME + ".corpus", 0))).values().iterator().next();
        }
    }
}
