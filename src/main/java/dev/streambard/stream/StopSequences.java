package dev.streambard.stream;

import java.util.List;

/**
 * Decides which generated text may be emitted when generation must end before a stop sequence:
 * text that could still turn out to be the start of a stop sequence is held back until it cannot, so
 * neither the stop text nor a partial one ever reaches the output.
 */
final class StopSequences {
    private final List<String> stops;

    StopSequences(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** The outcome of offering held-back text plus one new character. */
    record Step(String emit, String held, boolean stopped) {
    }

    /**
     * @param held text generated but not yet emitted (a possible stop-sequence prefix)
     * @param next the character just generated
     */
    Step offer(String held, String next) {
        String text = held + next;
        for (String stop : stops) {
            if (text.endsWith(stop)) return new Step(text.substring(0, text.length() - stop.length()), "", true);
        }
        int keep = longestSuffixThatStartsAStop(text);
        return new Step(text.substring(0, text.length() - keep), text.substring(text.length() - keep), false);
    }

    private int longestSuffixThatStartsAStop(String text) {
        int best = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length()); n > best; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}
