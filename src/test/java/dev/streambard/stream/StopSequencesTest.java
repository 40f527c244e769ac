package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequencesTest {

    /** Feeds text one character at a time; returns what was emitted, and whether it stopped. */
    private static String run(List<String> stops, String generated, boolean[] stopped) {
        StopSequences s = new StopSequences(stops);
        StringBuilder out = new StringBuilder();
        String held = "";
        for (int i = 0; i < generated.length(); i++) {
            StopSequences.Step step = s.offer(held, generated.substring(i, i + 1));
            out.append(step.emit());
            held = step.held();
            if (step.stopped()) {
                stopped[0] = true;
                return out.toString();
            }
        }
        return out.append(held).toString(); // at the length limit, held text is released
    }

    @Test
    void endsBeforeTheStopTextAndNeverEmitsIt() {
        boolean[] stopped = {false};
        assertEquals("Hello, wor", run(List.of("ld!"), "Hello, world! more", stopped));
        assertTrue(stopped[0]);
    }

    @Test
    void holdsBackAPossibleStopPrefixUntilItCannotMatch() {
        StopSequences s = new StopSequences(List.of("\n\n"));
        StopSequences.Step first = s.offer("", "\n");
        assertEquals("", first.emit());
        assertEquals("\n", first.held());
        StopSequences.Step second = s.offer(first.held(), "A");
        assertEquals("\nA", second.emit());
        assertFalse(second.stopped());
    }

    @Test
    void overlappingCandidatesAreResolvedCharacterByCharacter() {
        boolean[] stopped = {false};
        assertEquals("ababx", run(List.of("abc", "abd"), "ababx", stopped), "no stop completes");
        assertFalse(stopped[0]);
        assertEquals("xa", run(List.of("aab", "abc"), "xaaab", stopped));
        assertTrue(stopped[0]);
    }

    @Test
    void noStopsEmitsEverythingImmediately() {
        StopSequences s = new StopSequences(List.of("", ""));
        StopSequences.Step step = s.offer("", "q");
        assertEquals("q", step.emit());
        assertEquals("", step.held());
    }
}
