package dev.streambard.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GateTest {
    private final Gate gate = new Gate(0.02, 0.0);

    @Test
    void promotesWhenTheNewTextImprovesAndTheBaseHoldsWithinTheMargin() {
        Gate.Decision d = gate.judge(new Gate.Losses(1.50, 2.40), new Gate.Losses(1.515, 2.10));
        assertTrue(d.promote(), d.reason());
        assertTrue(d.reason().contains("1.5000 → 1.5150"), d.reason());
    }

    @Test
    void rejectsACandidateThatForgotTheBaseCorpus() {
        Gate.Decision d = gate.judge(new Gate.Losses(1.50, 2.40), new Gate.Losses(1.53, 1.90));
        assertFalse(d.promote());
        assertTrue(d.reason().startsWith("it forgot the base corpus"), d.reason());
    }

    @Test
    void rejectsACandidateThatDidNotLearnTheNewText() {
        Gate.Decision same = gate.judge(new Gate.Losses(1.50, 2.40), new Gate.Losses(1.49, 2.40));
        assertFalse(same.promote());
        assertTrue(same.reason().startsWith("it did not learn the new text"), same.reason());
        Gate.Decision small = new Gate(0.02, 0.5).judge(new Gate.Losses(1.5, 2.4), new Gate.Losses(1.5, 2.0));
        assertFalse(small.promote(), "a fall of 0.4 is not the required 0.5");
    }

    @Test
    void rejectsNonFiniteLosses() {
        assertFalse(gate.judge(new Gate.Losses(1.5, 2.4), new Gate.Losses(Double.NaN, 1.0)).promote());
        assertFalse(gate.judge(new Gate.Losses(1.5, 2.4), new Gate.Losses(1.4, Double.POSITIVE_INFINITY)).promote());
    }

    @Test
    void thresholdsMustBeFinite() {
        assertThrows(IllegalArgumentException.class, () -> new Gate(Double.NaN, 0));
    }
}
