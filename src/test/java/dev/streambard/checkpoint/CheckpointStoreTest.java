package dev.streambard.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path root;

    private static Checkpoint tiny(Lineage lineage) {
        Vocabulary v = Vocabulary.fromText("abc\n");
        CharModel m = CharModel.create(new ModelConfig(CellType.LSTM, v.size(), 4, 8, 1, 0), new TrainingConfig(5, 2, 1e-2, 1, 1, 0.1, 1), v);
        return m.toCheckpoint(TrainingProgress.start()).withLineage(lineage);
    }

    private static Lineage lineage(String model, long version) {
        return new Lineage(model, version, version > 1 ? version - 1 : null, Map.of("corpus-0", 42L), 1000, 7, 1.5, 1.6, 2.0);
    }

    @Test
    void versionsGoIntoNumberedFoldersAndKeepTheirLineage() {
        CheckpointStore store = new CheckpointStore(root, "poet");
        assertEquals(0, store.highestVersion());
        store.write(tiny(lineage("poet", 1)));
        Path v2 = store.write(tiny(lineage("poet", 2)));
        assertEquals(root.resolve("poet").resolve("v000002"), v2);
        assertEquals(2, store.highestVersion());
        Lineage back = CheckpointFiles.read(v2, false).lineage();
        assertEquals(lineage("poet", 2), back);
        assertEquals(v2, CheckpointStore.folderOf(CheckpointStore.uri(v2).toString()));
    }

    @Test
    void anExistingVersionIsNeverOverwritten() {
        CheckpointStore store = new CheckpointStore(root, "poet");
        Path v1 = store.write(tiny(lineage("poet", 1)));
        var before = dev.streambard.TestFolders.snapshot(v1);
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.write(tiny(lineage("poet", 1))));
        assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());
        assertEquals(before, dev.streambard.TestFolders.snapshot(v1));
    }

    @Test
    void anIncompleteFolderStillCountsSoItsNumberIsNotReused() throws Exception {
        CheckpointStore store = new CheckpointStore(root, "poet");
        Files.createDirectories(store.folder(5));
        assertEquals(5, store.highestVersion());
    }

    @Test
    void offlineCheckpointsHaveNoLineage() {
        Path dir = root.resolve("offline");
        CheckpointFiles.write(dir, tiny(null));
        assertNull(CheckpointFiles.read(dir, false).lineage());
    }

    @Test
    void refusesUnusableNamesAndUris() {
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(root, "../escape"));
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(root, ".hidden"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.folderOf("https://example.org/v1"));
        assertTrue(e.getMessage().contains("not a file: URI"), e.getMessage());
        assertThrows(CheckpointException.class, () -> CheckpointStore.folderOf("::not a uri"));
    }
}
