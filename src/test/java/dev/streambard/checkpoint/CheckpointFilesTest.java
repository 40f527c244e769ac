package dev.streambard.checkpoint;

import static dev.streambard.TestFolders.VERSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.TestFolders;
import dev.streambard.engine.BatchState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.EpochMetrics;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.text.Batch;
import dev.streambard.text.Vocabulary;
import dev.streambard.text.Windows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class CheckpointFilesTest {
    private static final int SEQ_LEN = 12;
    private static final int BATCH = 4;

    @TempDir
    Path dir;

    private final Vocabulary vocabulary = Vocabulary.fromText(VERSE);
    private final List<Batch> batches = new Windows(vocabulary.encode(VERSE), SEQ_LEN).shuffledBatches(BATCH, 3, 1);

    private CharModel tinyModel(CellType cell) {
        ModelConfig config = new ModelConfig(cell, vocabulary.size(), 6, 10, 2, 0.0);
        return CharModel.create(config, new TrainingConfig(SEQ_LEN, BATCH, 1e-2, 5, 2, 0.1, 11), vocabulary);
    }

    private static TrainingProgress progressAfter(int epochs, double[] validationLosses, int iteration) {
        TrainingProgress p = TrainingProgress.start();
        for (int e = 1; e <= epochs; e++) {
            p = p.after(new EpochMetrics(e, 3.0 - e * 0.1, validationLosses[e - 1], 1234.5, 0.25), iteration);
        }
        return p;
    }

    /** Logits [steps][B*V] of the engine built from {@code model} for two sessions fed different text. */
    private static float[][] engineLogits(CharModel model, int[] text) {
        InferenceEngine engine = new InferenceEngine(model.weights());
        BatchState state = engine.newBatch(2);
        float[][] out = new float[text.length][];
        for (int t = 0; t < text.length; t++) {
            engine.step(state, new int[]{text[t], text[text.length - 1 - t]});
            out[t] = state.logits();
        }
        return out;
    }

    private static boolean anyNonZero(float[] a) {
        for (float v : a) if (v != 0) return true;
        return false;
    }

    private static float[] values(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void roundTripGivesTheSameModelOptimizerAndMetadata() {
        for (CellType cell : CellType.values()) {
            CharModel model = tinyModel(cell);
            model.fit(batches.get(0));
            model.fit(batches.get(1));
            TrainingProgress progress = progressAfter(2, new double[]{2.5, 2.4}, model.iteration());
            Checkpoint written = model.toCheckpoint(progress);
            Path folder = dir.resolve("cp-" + cell);
            CheckpointFiles.write(folder, written);

            Checkpoint read = CheckpointFiles.read(folder, true);
            assertEquals(written.model(), read.model());
            assertEquals(written.training(), read.training());
            assertEquals(vocabulary, read.vocabulary());
            assertEquals(progress, read.progress());
            assertEquals(2, read.progress().iteration());
            assertArrayEquals(written.params().shape(), read.params().shape());
            assertArrayEquals(values(written.params()), values(read.params()), 0f);
            assertArrayEquals(values(written.optimizerState()), values(read.optimizerState()), 0f);
            assertTrue(anyNonZero(values(read.optimizerState())), "two Adam steps leave non-zero moments");

            CharModel restored = CharModel.from(read);
            assertEquals(model.iteration(), restored.iteration());
            assertArrayEquals(values(written.optimizerState()), values(restored.toCheckpoint(progress).optimizerState()), 0f,
                    "the optimizer state is loaded into the network");
            int[] text = vocabulary.encode("the tide sang on");
            float[][] expected = engineLogits(model, text);
            float[][] actual = engineLogits(restored, text);
            for (int t = 0; t < text.length; t++) assertArrayEquals(expected[t], actual[t], 1e-6f, cell + " step " + t);

            // The same next step from both: identical only if Adam's moments and step count came back too.
            double lossOriginal = model.fit(batches.get(2));
            double lossRestored = restored.fit(batches.get(2));
            assertEquals(lossOriginal, lossRestored, 1e-6, cell.toString());
            assertArrayEquals(values(model.toCheckpoint(progress).params()), values(restored.toCheckpoint(progress).params()),
                    1e-6f, cell + ": parameters after one more step");
        }
    }

    @Test
    void readingWithoutOptimizerSkipsIt() {
        CharModel model = tinyModel(CellType.LSTM);
        CheckpointFiles.write(dir.resolve("cp"), model.toCheckpoint(TrainingProgress.start()));
        Checkpoint read = CheckpointFiles.read(dir.resolve("cp"), false);
        assertNull(read.optimizerState());
        assertEquals(0, CharModel.from(read).iteration());
    }

    @Test
    void nonFiniteLossesInTheHistoryRoundTrip() {
        CharModel model = tinyModel(CellType.LSTM);
        // A diverged first epoch: the best loss stays +Infinity, the epoch's losses are NaN.
        TrainingProgress progress = TrainingProgress.start()
                .after(new EpochMetrics(1, Double.NaN, Double.NaN, 10, 1), 3);
        CheckpointFiles.write(dir.resolve("cp"), model.toCheckpoint(progress));
        TrainingProgress read = CheckpointFiles.read(dir.resolve("cp"), false).progress();
        assertEquals(Double.POSITIVE_INFINITY, read.bestValidationLoss());
        assertTrue(Double.isNaN(read.history().get(0).validationLoss()));
        assertEquals(progress, read);
    }

    @Test
    void aCorruptWeightsFileIsNotRead() {
        CharModel model = tinyModel(CellType.LSTM);
        Path cp = dir.resolve("cp");
        CheckpointFiles.write(cp, model.toCheckpoint(TrainingProgress.start()));
        TestFolders.flipByte(cp.resolve(CheckpointFiles.WEIGHTS), -5);

        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFiles.read(cp, true));
        assertTrue(e.getMessage().contains(CheckpointFiles.WEIGHTS) && e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aCheckpointWhoseWeightsDoNotFitItsConfigIsRefused() {
        CharModel small = tinyModel(CellType.LSTM);
        Checkpoint cp = small.toCheckpoint(TrainingProgress.start());
        ModelConfig wider = cp.model().withVocabSize(vocabulary.size());
        wider = new ModelConfig(wider.cell(), wider.vocabSize(), wider.embedding(), wider.units() + 1, wider.layers(), 0);
        Checkpoint mismatched = new Checkpoint(wider, cp.training(), cp.vocabulary(), cp.progress(), cp.params(), null);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CharModel.from(mismatched));
        assertTrue(e.getMessage().contains("weights"), e.getMessage());
    }

    // ---- RunDirectory ----

    private RunDirectory runWithEpochs(Path root, double[] validationLosses) {
        CharModel model = tinyModel(CellType.LSTM);
        RunDirectory run = new RunDirectory(root);
        for (int e = 1; e <= validationLosses.length; e++) {
            model.fit(batches.get(e % batches.size()));
            TrainingProgress p = progressAfter(e, validationLosses, model.iteration());
            Path saved = run.save(model.toCheckpoint(p));
            assertEquals(root.resolve(String.format("epoch-%04d", e)), saved);
        }
        return run;
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void runKeepsOnlyTheBestAndTheLastCheckpoint() throws IOException {
        Path root = dir.resolve("run");
        RunDirectory run = runWithEpochs(root, new double[]{2.0, 1.5, 1.8});

        assertEquals(List.of("BEST", "LAST", "epoch-0002", "epoch-0003"), listing(root));
        assertEquals("epoch-0002", Files.readString(root.resolve(RunDirectory.BEST)).strip());
        assertEquals(root.resolve("epoch-0002"), run.best());
        assertEquals(root.resolve("epoch-0003"), run.last());
        assertTrue(run.hasCheckpoint());
        assertEquals(2, CheckpointFiles.read(run.best(), false).progress().epoch());
        assertEquals(3, CheckpointFiles.read(run.last(), false).progress().epoch());
        assertEquals(2, CheckpointFiles.read(run.last(), false).progress().bestEpoch());
    }

    @Test
    void whenTheLastEpochIsBestOnlyItRemains() throws IOException {
        Path root = dir.resolve("run");
        RunDirectory run = runWithEpochs(root, new double[]{2.0, 1.9, 1.8});
        assertEquals(List.of("BEST", "LAST", "epoch-0003"), listing(root));
        assertEquals(run.best(), run.last());
    }

    @Test
    void resolveModelFindsTheBestOfARunOrTakesACheckpointFolderAsIs() {
        Path root = dir.resolve("run");
        runWithEpochs(root, new double[]{2.0, 1.5, 1.8});

        assertEquals(root.resolve("epoch-0002"), RunDirectory.resolveModel(root));
        assertEquals(root.resolve("epoch-0003"), RunDirectory.resolveModel(root.resolve("epoch-0003")));
    }

    @Test
    void resolveModelOnAFolderWithoutCheckpointSaysWhatToPass() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> RunDirectory.resolveModel(empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
        assertFalse(new RunDirectory(empty).hasCheckpoint());

        Path missing = dir.resolve("missing");
        CheckpointException m = assertThrows(CheckpointException.class, () -> RunDirectory.resolveModel(missing));
        assertTrue(m.getMessage().contains("does not exist"), m.getMessage());
    }

    @Test
    void aDamagedPointerIsReported() throws IOException {
        Path root = dir.resolve("run");
        RunDirectory run = runWithEpochs(root, new double[]{2.0});
        Files.writeString(root.resolve(RunDirectory.BEST), "../../etc\n");
        CheckpointException e = assertThrows(CheckpointException.class, run::best);
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertNotEquals(run.last(), root.resolve("../../etc"));
    }
}
