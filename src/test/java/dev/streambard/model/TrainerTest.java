package dev.streambard.model;

import static dev.streambard.TestFolders.VERSE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.engine.BatchState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.text.Batch;
import dev.streambard.text.CorpusSplit;
import dev.streambard.text.Vocabulary;
import dev.streambard.text.Windows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final int SEQ_LEN = 16;
    private static final int BATCH = 4;

    @TempDir
    Path dir;

    private final Vocabulary vocabulary = Vocabulary.fromText(VERSE);
    private final CorpusSplit split = CorpusSplit.of(vocabulary.encode(VERSE), 0.2);
    private final Windows train = new Windows(split.train(), SEQ_LEN);
    private final Windows heldOut = new Windows(split.validation(), SEQ_LEN);

    /** Records what the trainer reports. */
    private static final class Recorder implements Trainer.Listener {
        final List<EpochMetrics> epochs = new ArrayList<>();
        final List<Boolean> stopping = new ArrayList<>();
        int batchCalls;

        @Override
        public void batchDone(int epoch, int batch, int batches, double meanLoss, double charsPerSecond) {
            batchCalls++;
        }

        @Override
        public void epochDone(EpochMetrics metrics, boolean best, boolean stopping) {
            epochs.add(metrics);
            this.stopping.add(stopping);
        }
    }

    private CharModel model(double learningRate, int epochs, int patience) {
        return CharModel.create(new ModelConfig(CellType.LSTM, vocabulary.size(), 8, 16, 1, 0.0),
                new TrainingConfig(SEQ_LEN, BATCH, learningRate, epochs, patience, 0.2, 5), vocabulary);
    }

    /**
     * The held-out loss does not depend on how the windows are batched: a partial last batch (padded inside
     * evaluate to keep the layers' buffers at one shape) counts its real rows only.
     */
    @Test
    void evaluationCountsOnlyTheRealRowsOfAPartialBatch() {
        CharModel m = model(1e-2, 1, 1);
        int size = 2;
        while (heldOut.count() % size == 0) size++; // a size that leaves a partial last batch
        List<Batch> batched = heldOut.orderedBatches(size);
        assertTrue(batched.get(batched.size() - 1).size() < size);
        assertEquals(m.evaluate(heldOut.orderedBatches(1)), m.evaluate(batched), 1e-6);
    }

    private static float[] flat(org.nd4j.linalg.api.ndarray.INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private float[] engineLogits(CharModel m) {
        InferenceEngine engine = new InferenceEngine(m.weights());
        BatchState s = engine.newBatch(1);
        for (int ch : vocabulary.encode("the stone ran")) engine.step(s, new int[]{ch});
        return s.logits();
    }

    @Test
    void trainingLowersTheHeldOutLossBelowTheUntrainedModelAndLnVocab() {
        CharModel m = model(1e-2, 4, 4);
        List<Batch> validation = heldOut.orderedBatches(BATCH);
        double untrained = m.evaluate(validation);
        Recorder recorder = new Recorder();

        TrainingProgress end = new Trainer(m, train, heldOut, recorder).run(TrainingProgress.start(),
                new RunDirectory(dir.resolve("run")));

        double lnVocab = Math.log(vocabulary.size());
        assertEquals(4, end.epoch());
        assertEquals(4, recorder.epochs.size());
        assertEquals(List.of(false, false, false, true), recorder.stopping);
        assertTrue(end.bestValidationLoss() < untrained - 0.3, end.bestValidationLoss() + " vs untrained " + untrained);
        assertTrue(end.bestValidationLoss() < lnVocab - 0.3, end.bestValidationLoss() + " vs ln V " + lnVocab);
        assertEquals(m.evaluate(validation), recorder.epochs.get(3).validationLoss(), 1e-9,
                "the reported held-out loss is the model's evaluation");
        int batchesPerEpoch = train.shuffledBatches(BATCH, 5, 1).size();
        assertEquals(4 * batchesPerEpoch, recorder.batchCalls);
        assertEquals(4 * batchesPerEpoch, end.iteration());
        assertEquals(4 * batchesPerEpoch, m.iteration());
    }

    @Test
    void resumingGivesTheSameModelAsTrainingStraightThrough() {
        RunDirectory a = new RunDirectory(dir.resolve("a"));
        TrainingProgress afterTwo = new Trainer(model(1e-2, 2, 5), train, heldOut, new Recorder())
                .run(TrainingProgress.start(), a);
        assertEquals(2, afterTwo.epoch());

        // As `train --resume --epochs 3` does: the last checkpoint, with the new epoch limit.
        Checkpoint last = CheckpointFiles.read(a.last(), true);
        Checkpoint extended = new Checkpoint(last.model(), last.training().withEpochs(3), last.vocabulary(),
                last.progress(), last.params(), last.optimizerState());
        CharModel resumed = CharModel.from(extended);
        Recorder resumedEpochs = new Recorder();
        TrainingProgress endA = new Trainer(resumed, train, heldOut, resumedEpochs).run(extended.progress(), a);

        RunDirectory b = new RunDirectory(dir.resolve("b"));
        CharModel straight = model(1e-2, 3, 5);
        TrainingProgress endB = new Trainer(straight, train, heldOut, new Recorder()).run(TrainingProgress.start(), b);

        assertEquals(List.of(3), resumedEpochs.epochs.stream().map(EpochMetrics::epoch).toList(), "only epoch 3 ran");
        assertEquals(List.of(1, 2, 3), endA.history().stream().map(EpochMetrics::epoch).toList());
        int perEpoch = train.shuffledBatches(BATCH, 5, 1).size();
        assertEquals(2 * perEpoch, afterTwo.iteration());
        assertEquals(3 * perEpoch, endA.iteration(), "the iteration count continues");
        assertEquals(endB.iteration(), endA.iteration());

        // DL4J on one CPU thread is deterministic for the same seed and batch order, so this is exact.
        Checkpoint finalA = CheckpointFiles.read(a.last(), true);
        Checkpoint finalB = CheckpointFiles.read(b.last(), true);
        assertArrayEquals(flat(finalB.params()), flat(finalA.params()), 0f);
        assertArrayEquals(flat(finalB.optimizerState()), flat(finalA.optimizerState()), 0f);
        assertEquals(endB.history().get(2).validationLoss(), endA.history().get(2).validationLoss(), 0);
        assertEquals(endB.history().get(2).trainLoss(), endA.history().get(2).trainLoss(), 0);
        assertEquals(endB.bestEpoch(), endA.bestEpoch());
        assertArrayEquals(engineLogits(straight), engineLogits(resumed), 0f);
    }

    @Test
    void stopsEarlyAfterPatienceEpochsWithoutImprovement() {
        // Adam at 0.9 learns fast, then overshoots: the held-out loss gets worse within a few epochs (at
        // epoch 8 here). Seed and batch order are fixed, so the run is reproducible; which epoch it is
        // depends on float rounding, though (epoch 4 with DL4J's own LSTM layer), so the limit has room.
        CharModel m = model(0.9, 12, 1);
        Recorder recorder = new Recorder();
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        TrainingProgress end = new Trainer(m, train, heldOut, recorder).run(TrainingProgress.start(), run);

        assertTrue(end.epoch() < 12, "stopped at epoch " + end.epoch() + ": " + end.history());
        assertEquals(1, end.epochsWithoutImprovement());
        assertFalse(end.lastEpochWasBest());
        assertEquals(end.epoch(), recorder.epochs.size());
        assertTrue(recorder.stopping.get(recorder.stopping.size() - 1));
        assertEquals(run.root().resolve(String.format("epoch-%04d", end.bestEpoch())), run.best());
        assertEquals(run.root().resolve(String.format("epoch-%04d", end.epoch())), run.last());
    }

    @Test
    void progressCountsEpochsWithoutImprovement() {
        TrainingProgress p = TrainingProgress.start();
        assertEquals(0, p.epochsWithoutImprovement());
        assertFalse(p.lastEpochWasBest());
        double[] losses = {2.0, 1.5, 1.6, 1.5, 1.4, Double.NaN};
        int[] withoutImprovement = {0, 0, 1, 2, 0, 1};
        int[] best = {1, 2, 2, 2, 5, 5};
        for (int e = 1; e <= losses.length; e++) {
            p = p.after(new EpochMetrics(e, 2, losses[e - 1], 100, 1), e * 10);
            assertEquals(withoutImprovement[e - 1], p.epochsWithoutImprovement(), "epoch " + e);
            assertEquals(best[e - 1], p.bestEpoch(), "epoch " + e);
            assertEquals(withoutImprovement[e - 1] == 0, p.lastEpochWasBest(), "epoch " + e);
            assertEquals(e * 10, p.iteration());
        }
        assertEquals(1.4, p.bestValidationLoss());
        assertEquals(6, p.history().size());
    }

    @Test
    void fitReportsThePerCharacterLossBeforeTheStep() {
        CharModel m = model(1e-2, 1, 1);
        Batch b = train.shuffledBatches(BATCH, 5, 1).get(0);
        double before = m.evaluate(List.of(b));

        double reported = m.fit(b);

        double lnVocab = Math.log(vocabulary.size());
        assertEquals(before, reported, 1e-4, "fit reports the loss the batch had before the update");
        assertEquals(lnVocab, reported, 0.15 * lnVocab, "an untrained model is close to uniform");
        assertTrue(m.evaluate(List.of(b)) < before, "one step on the batch lowers its loss");
    }
}
