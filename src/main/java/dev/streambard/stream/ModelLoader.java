package dev.streambard.stream;

import dev.streambard.checkpoint.AtomicFolder;
import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointException;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import java.nio.file.Path;

/**
 * Loads the checkpoint a promotion event names and checks it before it may serve: every file against
 * the manifest, the manifest against the event's SHA-256, the vocabulary against the event and the
 * current model, and the architecture against the current model (live sessions' states must fit).
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    /** A checkpoint folder as a serving model; {@code version} is what its chunks will report. */
    public static ServingModel load(Path folder, long version) {
        Checkpoint cp = CheckpointFiles.read(folder, false);
        CharModel model = CharModel.from(cp);
        return new ServingModel(new InferenceEngine(model.weights()), model.vocabulary(), version, AtomicFolder.folderSha256(folder));
    }

    /**
     * @param current the model serving now, or null
     * @throws CheckpointException with the reason when the checkpoint must not serve
     */
    public static ServingModel load(CheckpointEvent event, ServingModel current) {
        Path folder = CheckpointStore.folderOf(event.getUri().toString());
        String announced = event.getSha256().toString();
        String actual;
        try {
            actual = AtomicFolder.folderSha256(folder);
        } catch (RuntimeException e) {
            throw new CheckpointException("version " + event.getVersion() + ": cannot read " + folder + ": " + e.getMessage(), e);
        }
        if (!actual.equals(announced)) {
            throw new CheckpointException("version " + event.getVersion() + ": " + folder + " has manifest SHA-256 " + actual
                    + " but the event announced " + announced);
        }
        Checkpoint cp = CheckpointFiles.read(folder, false); // verifies each file against the manifest
        if (!cp.vocabulary().sha256().equals(event.getVocabularySha256().toString())) {
            throw new CheckpointException("version " + event.getVersion() + ": its vocabulary is not the one the event announced");
        }
        if (current != null) {
            if (!cp.vocabulary().equals(current.vocabulary())) {
                throw new CheckpointException("version " + event.getVersion() + " has another vocabulary than the serving version "
                        + current.version() + "; live sessions could not continue. Serve it under another model name.");
            }
            ModelConfig now = current.engine().config();
            ModelConfig next = cp.model();
            if (now.cell() != next.cell() || now.layers() != next.layers() || now.units() != next.units()) {
                throw new CheckpointException("version " + event.getVersion() + " is a " + next.layers() + "-layer " + next.cell()
                        + " of " + next.units() + " units, the serving version " + current.version() + " a " + now.layers() + "-layer "
                        + now.cell() + " of " + now.units() + "; live sessions' states would not fit. Serve it under another model name.");
            }
        }
        CharModel model = CharModel.from(cp);
        return new ServingModel(new InferenceEngine(model.weights()), cp.vocabulary(), event.getVersion(), announced);
    }
}
