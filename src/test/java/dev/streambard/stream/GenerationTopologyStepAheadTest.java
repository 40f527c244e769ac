package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The topology tests again, with batches stepping on between slices ({@link StepAhead}) and time for them to
 * do so between ticks; then what stepping ahead must keep: nothing sent between slices, and the stored state
 * always matching the chunks sent.
 */
class GenerationTopologyStepAheadTest extends GenerationTopologyTest {
    private boolean steppingAhead = true;

    @Override
    StepAhead stepAhead() {
        return steppingAhead ? StepAhead.enabled() : StepAhead.disabled();
    }

    @Override
    void betweenTicks() {
        sleep(1);
    }

    /** Short slices: a slice and the steps after it each make a few characters, not a whole request. */
    private static StreamSettings shortSlices() {
        return new StreamSettings(1_000_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(2), 1, 16, Duration.ofHours(24));
    }

    @Test
    void aBatchStepsBetweenSlicesAndItsCharactersGoOutWithTheNextSlice() {
        driver(shortSlices());
        send(request("ra", "a", "abc", 1_000_000).build());
        send(request("rb", "b", "abc", 1_000_000).build());
        List<GenerationChunk> sent = new ArrayList<>();
        long stepsBetween = 0;
        for (int i = 0; i < 8; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(5));
            long before = steps();
            sleep(20); // the batch steps on for up to a slice (2 ms)
            stepsBetween += steps() - before;
            sent.addAll(chunks.readValuesToList());
            // Had the steps since the slice sent anything, the store would be behind what was sent.
            assertStoreMatches(sent);
        }
        assertTrue(stepsBetween > 0, "the batch stepped between slices");
        assertTrue(text(sent, "ra").length() > 1);
        assertTrue(text(sent, "rb").length() > 1); // in order, without a gap or a duplicate
    }

    /** Each session's stored state has sent exactly the characters seen on the output topic, and fed the seed and all but the last. */
    private void assertStoreMatches(List<GenerationChunk> sent) {
        KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
        for (String session : List.of("a", "b")) {
            SessionState s = store.get(session);
            assertNotNull(s.getActive(), "still generating");
            int chars = text(sent, "r" + session).length();
            assertEquals(chars, s.getActive().getEmitted(), "characters sent for " + session);
            if (chars > 0) assertEquals(3 + chars - 1, s.getPosition(), "characters fed for " + session);
        }
    }

    private long steps() {
        return LongStream.of(metrics.stepSeconds().cumulativeCounts()).max().orElse(0);
    }

    /**
     * Runs {@code scenario} on a fresh driver with short slices, once stepping between slices and once not;
     * asserts it gives the same texts both ways and returns them.
     */
    private List<String> sameTextsWithAndWithoutSteppingAhead(Function<Boolean, List<String>> scenario) {
        List<List<String>> texts = new ArrayList<>();
        for (boolean ahead : new boolean[]{true, false}) {
            steppingAhead = ahead;
            driver(shortSlices());
            texts.add(scenario.apply(ahead));
        }
        assertEquals(texts.get(1), texts.get(0), "the texts with stepping between slices, then without");
        return texts.get(0);
    }

    @Test
    void theTextIsTheSameWithAndWithoutSteppingBetweenSlices() {
        List<String> texts = sameTextsWithAndWithoutSteppingAhead(ahead -> {
            for (int s = 0; s < 3; s++) send(request("r" + s, "s" + s, "ab", 2_000).build());
            List<GenerationChunk> out = runUntilDone(3);
            return List.of(text(out, "r0"), text(out, "r1"), text(out, "r2"));
        });
        assertEquals(2_000, texts.get(0).length());
    }

    @Test
    void aRequestArrivingWhileItsSessionStepsAheadChangesNoText() {
        List<String> texts = sameTextsWithAndWithoutSteppingAhead(ahead -> {
            send(request("first", "s", "abc", 3_000).build());
            send(request("other", "t", "abc", 3_000).build());
            driver.advanceWallClockTime(Duration.ofMillis(5));
            long sent = chunks.getQueueSize();
            sleep(50); // steps ahead for a slice (2 ms)
            send(request("next", "s", "", 50).build()); // queued behind "first": the batch stops where it is
            if (ahead) assertTrue(chunks.getQueueSize() > sent, "what the batch made since the slice goes out first");
            List<GenerationChunk> out = runUntilDone(3);
            return List.of(text(out, "first"), text(out, "next"), text(out, "other"));
        });
        assertEquals(3_000, texts.get(0).length());
        assertEquals(50, texts.get(1).length());
    }

    @Test
    void aSessionThatEndedBeforeTheBatchSteppedAheadTakesANewRequest() {
        driver(shortSlices());
        send(request("short", "x", "abc", 3).build());
        send(request("long", "y", "abc", 1_000_000).build());
        driver.advanceWallClockTime(Duration.ofMillis(5)); // "short" ends in this slice; "long" steps on after it
        sleep(20);
        send(request("again", "x", "", 10).build()); // continues session x, which the stepping batch no longer holds
        List<GenerationChunk> out = new ArrayList<>(chunks.readValuesToList());
        for (int i = 0; i < 200 && out.stream().noneMatch(c -> c.getRequestId().equals("again") && c.getDone()); i++) {
            driver.advanceWallClockTime(Duration.ofMillis(5));
            sleep(1);
            out.addAll(chunks.readValuesToList());
        }
        assertEquals(3, text(out, "short").length());
        assertEquals(10, text(out, "again").length(), "the new request of the ended session ran in full");
        KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
        assertEquals(3 + 3 + 10 - 1, store.get("x").getPosition(), "and its state went on from where the first ended");
        assertNotNull(store.get("y").getActive(), "while the other session generates on");
    }

    @Test
    void aCancelWhileTheBatchStepsAheadComesAfterItsCharacters() {
        driver(shortSlices());
        send(request("long", "s", "abc", 1_000_000).build());
        driver.advanceWallClockTime(Duration.ofMillis(5));
        sleep(20); // steps ahead, holding its chunks
        send(request("stop-it", "s", "", 1).setCancel(true).build());
        List<GenerationChunk> out = chunks.readValuesToList();
        GenerationChunk last = out.get(out.size() - 1);
        assertEquals(FinishReason.CANCELLED, last.getFinishReason());
        int chars = text(out.subList(0, out.size() - 1), "long").length();
        assertEquals(chars, last.getIndex(), "the cancel comes right after the characters made before it");
        driver.advanceWallClockTime(Duration.ofMillis(5));
        sleep(20);
        driver.advanceWallClockTime(Duration.ofMillis(5));
        assertTrue(chunks.isEmpty(), "nothing after the cancel");
        KeyValueStore<String, SessionState> store = driver.getKeyValueStore(GenerationTopology.SESSION_STORE);
        assertNull(store.get("s").getActive());
        assertEquals(3 + chars - 1, store.get("s").getPosition(), "the stored state fed what was sent");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
