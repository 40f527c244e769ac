package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.checkpoint.CheckpointException;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.ingest.CheckpointEvents;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.text.Vocabulary;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a service checks before a promoted checkpoint may serve. */
class ModelLoaderTest {
    private static final Vocabulary VOCAB = Vocabulary.fromText("abc \n");
    @TempDir
    Path dir;

    private CheckpointEvent version(long v, Vocabulary vocab, int units) {
        ModelConfig config = new ModelConfig(CellType.LSTM, vocab.size(), 4, units, 1, 0);
        CharModel m = CharModel.create(config, new TrainingConfig(5, 2, 1e-2, 1, 1, 0.1, v), vocab);
        Lineage lineage = new Lineage("m", v, null, Map.of(), 0, 0, null, null, null);
        var cp = m.toCheckpoint(TrainingProgress.start()).withLineage(lineage);
        Path folder = dir.resolve("v" + v);
        CheckpointFiles.write(folder, cp);
        return CheckpointEvents.promotion(cp, folder, "test", null, null);
    }

    @Test
    void aMatchingVersionLoadsWithItsVersionAndHash() {
        ServingModel one = ModelLoader.load(version(1, VOCAB, 8), null);
        CheckpointEvent two = version(2, VOCAB, 8);
        ServingModel loaded = ModelLoader.load(two, one);
        assertEquals(2, loaded.version());
        assertEquals(two.getSha256().toString(), loaded.checkpointSha256());
    }

    @Test
    void anotherVocabularyIsRefusedWhileSessionsLive() {
        ServingModel one = ModelLoader.load(version(1, VOCAB, 8), null);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ModelLoader.load(version(2, Vocabulary.fromText("abcd \n"), 8), one));
        assertTrue(e.getMessage().contains("another vocabulary"), e.getMessage());
    }

    @Test
    void anotherArchitectureIsRefusedBecauseStatesWouldNotFit() {
        ServingModel one = ModelLoader.load(version(1, VOCAB, 8), null);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(version(2, VOCAB, 16), one));
        assertTrue(e.getMessage().contains("states would not fit"), e.getMessage());
    }

    @Test
    void aVocabularyOtherThanAnnouncedOrAMissingFolderIsRefused() {
        CheckpointEvent lying = CheckpointEvent.newBuilder(version(1, VOCAB, 8)).setVocabularySha256("f".repeat(64)).build();
        assertThrows(CheckpointException.class, () -> ModelLoader.load(lying, null));
        CheckpointEvent gone = CheckpointEvent.newBuilder(version(2, VOCAB, 8))
                .setUri(CheckpointStore.uri(dir.resolve("nowhere")).toString()).build();
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(gone, null));
        assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    }
}
