package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StepAheadTest {

    @Test
    void stepsUntilStoppedAndTheStopWaitsForTheStepInProgress() throws InterruptedException {
        try (StepAhead ahead = StepAhead.enabled()) {
            AtomicInteger steps = new AtomicInteger();
            AtomicBoolean inStep = new AtomicBoolean();
            CountDownLatch stepping = new CountDownLatch(3);
            StepAhead.Job job = ahead.start(stop -> {
                while (!stop.getAsBoolean()) {
                    inStep.set(true);
                    steps.incrementAndGet();
                    stepping.countDown();
                    inStep.set(false);
                }
            });
            assertTrue(stepping.await(10, TimeUnit.SECONDS), "it steps in the background");
            job.stop();
            assertFalse(inStep.get(), "stopped between two steps");
            int after = steps.get();
            Thread.sleep(20);
            assertEquals(after, steps.get(), "and no step after the stop");
        }
    }

    @Test
    void oneJobAtATimeAndAFailureReachesItsOwner() throws InterruptedException {
        try (StepAhead ahead = StepAhead.enabled()) {
            CountDownLatch firstRunning = new CountDownLatch(1);
            AtomicBoolean firstEnded = new AtomicBoolean();
            StepAhead.Job first = ahead.start(stop -> {
                firstRunning.countDown();
                while (!stop.getAsBoolean()) Thread.onSpinWait();
                firstEnded.set(true);
            });
            assertTrue(firstRunning.await(10, TimeUnit.SECONDS));
            AtomicBoolean startedAfterFirst = new AtomicBoolean();
            CountDownLatch failed = new CountDownLatch(1);
            StepAhead.Job failing = ahead.start(stop -> {
                startedAfterFirst.set(firstEnded.get());
                failed.countDown();
                throw new IllegalStateException("a step failed");
            });
            assertTrue(firstEnded.get(), "starting a job stops the one before");
            assertTrue(failed.await(10, TimeUnit.SECONDS));
            assertTrue(startedAfterFirst.get(), "a new job starts only after the one before has stopped");
            first.stop(); // already stopped: returns at once
            ahead.stopCurrent(); // another processor's slice: waits, does not throw the owner's failure
            IllegalStateException e = assertThrows(IllegalStateException.class, failing::stop);
            assertEquals("a step failed", e.getMessage());
        }
    }

    @Test
    void disabledStepsNothing() {
        try (StepAhead ahead = StepAhead.disabled()) {
            AtomicBoolean ran = new AtomicBoolean();
            assertNull(ahead.start(stop -> ran.set(true)));
            ahead.stopCurrent();
            assertFalse(ran.get());
        }
    }
}
