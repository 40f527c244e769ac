package dev.streambard.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.text.Vocabulary;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes checkpoint folders: config.json, vocabulary.json, progress.json (metrics and
 * where training stands), weights.bin, optimizer.bin, lineage.json (fine-tuned checkpoints only), and the
 * manifest with every file's SHA-256.
 */
public final class CheckpointFiles {
    static final String CONFIG = "config.json";
    static final String VOCABULARY = "vocabulary.json";
    static final String PROGRESS = "progress.json";
    static final String WEIGHTS = "weights.bin";
    static final String OPTIMIZER = "optimizer.bin";
    static final String LINEAGE = "lineage.json";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // A run whose loss diverged records NaN or Infinity; the file must still load.
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

    record Config(ModelConfig model, TrainingConfig training) {
    }

    record VocabularyFile(String characters, int[] codePoints, String sha256) {
    }

    private CheckpointFiles() {
    }

    public static void write(Path dir, Checkpoint cp) {
        Map<String, AtomicFolder.Content> files = new LinkedHashMap<>();
        files.put(CONFIG, out -> JSON.writeValue(out, new Config(cp.model(), cp.training())));
        Vocabulary v = cp.vocabulary();
        files.put(VOCABULARY, out -> JSON.writeValue(out, new VocabularyFile(v.asString(), v.codePoints(), v.sha256())));
        files.put(PROGRESS, out -> JSON.writeValue(out, cp.progress()));
        files.put(WEIGHTS, out -> Nd4j.write(cp.params(), new DataOutputStream(out)));
        if (cp.optimizerState() != null) {
            files.put(OPTIMIZER, out -> Nd4j.write(cp.optimizerState(), new DataOutputStream(out)));
        }
        if (cp.lineage() != null) files.put(LINEAGE, out -> JSON.writeValue(out, cp.lineage()));
        AtomicFolder.write(dir, files);
    }

    /** Verifies every hash, then reads the checkpoint; {@code withOptimizer=false} skips Adam's state. */
    public static Checkpoint read(Path dir, boolean withOptimizer) {
        AtomicFolder.verify(dir);
        try {
            Config config = JSON.readValue(dir.resolve(CONFIG).toFile(), Config.class);
            VocabularyFile vf = JSON.readValue(dir.resolve(VOCABULARY).toFile(), VocabularyFile.class);
            Vocabulary vocabulary = Vocabulary.of(vf.codePoints());
            if (!vocabulary.sha256().equals(vf.sha256())) {
                throw new CheckpointException(dir.resolve(VOCABULARY) + " is inconsistent: its hash does not match its characters");
            }
            TrainingProgress progress = JSON.readValue(dir.resolve(PROGRESS).toFile(), TrainingProgress.class);
            INDArray params = readArray(dir.resolve(WEIGHTS));
            Path optimizerFile = dir.resolve(OPTIMIZER);
            INDArray optimizer = withOptimizer && Files.exists(optimizerFile) ? readArray(optimizerFile) : null;
            Path lineageFile = dir.resolve(LINEAGE);
            Lineage lineage = Files.exists(lineageFile) ? JSON.readValue(lineageFile.toFile(), Lineage.class) : null;
            return new Checkpoint(config.model(), config.training(), vocabulary, progress, params, optimizer, lineage);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) throw ce;
            throw new CheckpointException("checkpoint " + dir + " could not be read: " + e.getMessage(), e);
        }
    }

    private static INDArray readArray(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return Nd4j.read(new DataInputStream(in));
        }
    }
}
