package dev.streambard.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.model.CharModel;
import org.junit.jupiter.api.Test;

class FineTuningTest {
    private static final FineTuning.Settings SETTINGS = new FineTuning.Settings(3, 1.0, 0.1, 64);

    private static float[] params(CharModel m) {
        return m.toCheckpoint(dev.streambard.model.TrainingProgress.start()).params().toFloatVector();
    }

    @Test
    void aRoundLearnsTheNewTextOnACopyAndLeavesTheCurrentModelAlone() {
        CharModel current = TestTexts.tinyModel();
        FineTuning ft = new FineTuning(SETTINGS, current.training(), current.vocabulary().encode(TestTexts.BASE));
        float[] weightsBefore = params(current);
        double baseLoss = ft.baseLoss(current);

        FineTuning.Round r = ft.run(current, baseLoss, current.vocabulary().encode(TestTexts.NEW_STYLE), 2, (b, n, l, cps) -> { });

        assertEquals(baseLoss, r.before().base(), "the caller's base loss is the before value");
        assertTrue(r.after().newText() < r.before().newText() - 0.5,
                "new-text held-out loss fell: " + r.before().newText() + " → " + r.after().newText());
        assertTrue(r.after().base() < r.before().base(), "replay keeps a fresh model learning the base: " + r.before().base() + " → " + r.after().base());
        assertTrue(r.characters() > 0 && Double.isFinite(r.trainingLoss()));
        assertArrayEquals(weightsBefore, params(current), "the current model is untouched");
        assertEquals(baseLoss, ft.baseLoss(current), 1e-9);
    }

    @Test
    void theSameInputsGiveTheSameCandidate() {
        CharModel current = TestTexts.tinyModel();
        FineTuning ft = new FineTuning(SETTINGS, current.training(), current.vocabulary().encode(TestTexts.BASE));
        int[] text = current.vocabulary().encode(TestTexts.NEW_STYLE);
        FineTuning.Round a = ft.run(current, 0, text, 9, (b, n, l, cps) -> { });
        FineTuning.Round b = ft.run(current, 0, text, 9, (x, n, l, cps) -> { });
        assertArrayEquals(params(a.candidate()), params(b.candidate()));
    }

    @Test
    void tooLittleTextIsRefusedBeforeTraining() {
        CharModel current = TestTexts.tinyModel();
        FineTuning ft = new FineTuning(SETTINGS, current.training(), current.vocabulary().encode(TestTexts.BASE));
        assertEquals(42, ft.minimumCharacters(), "one training and one held-out window of 21");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ft.run(current, 0, new int[41], 1, (b, n, l, cps) -> { }));
        assertTrue(e.getMessage().contains("at least 42"), e.getMessage());
    }
}
