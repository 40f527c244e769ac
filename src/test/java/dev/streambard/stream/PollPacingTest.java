package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PollPacingTest {

    @Test
    void yieldsOnceAfterASliceThatFollowedRecords() {
        PollPacing pacing = new PollPacing();
        pacing.recordProcessed();
        assertFalse(pacing.shouldYield(), "the slice the new records join runs");
        pacing.sliceDone();
        assertTrue(pacing.shouldYield(), "the punctuation straight after it lets the thread poll");
        assertFalse(pacing.shouldYield(), "only once");
    }

    @Test
    void neverYieldsWithoutRecords() {
        PollPacing pacing = new PollPacing();
        for (int i = 0; i < 5; i++) {
            assertFalse(pacing.shouldYield());
            pacing.sliceDone();
        }
    }

    @Test
    void recordsBetweenTheSlicesMeanTheNextSliceRuns() {
        PollPacing pacing = new PollPacing();
        pacing.recordProcessed();
        pacing.sliceDone();
        pacing.recordProcessed(); // a poll returned more records before this punctuation
        assertFalse(pacing.shouldYield());
        pacing.sliceDone();
        assertTrue(pacing.shouldYield());
    }
}
