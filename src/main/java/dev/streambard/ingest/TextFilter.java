package dev.streambard.ingest;

import dev.streambard.text.Vocabulary;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fits incoming text to a model's frozen vocabulary: characters outside it are dropped, or replaced by
 * one that is in it, and counted per character so logs can say what was lost.
 */
public final class TextFilter {
    private final Vocabulary vocabulary;
    private final int replacement; // vocabulary index, or -1 to drop
    private final Map<Integer, Long> unknown = new TreeMap<>();
    private long unknownTotal;

    private TextFilter(Vocabulary vocabulary, int replacement) {
        this.vocabulary = vocabulary;
        this.replacement = replacement;
    }

    public static TextFilter dropping(Vocabulary vocabulary) {
        return new TextFilter(vocabulary, -1);
    }

    public static TextFilter replacingWith(Vocabulary vocabulary, String character) {
        int cp = character.codePointAt(0);
        int index = vocabulary.indexOf(cp);
        if (index < 0) {
            throw new IllegalArgumentException("the replacement for unknown characters, " + Vocabulary.printable(cp)
                    + ", is not in the model's vocabulary " + vocabulary);
        }
        return new TextFilter(vocabulary, index);
    }

    /** The text as vocabulary indices, unknown characters dropped or replaced (and counted). */
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int index = vocabulary.indexOf(cp);
            if (index < 0) {
                unknown.merge(cp, 1L, Long::sum);
                unknownTotal++;
                index = replacement;
            }
            if (index >= 0) out[n++] = index;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    public long unknownTotal() {
        return unknownTotal;
    }

    /** The unknown characters seen so far with their counts, most frequent first, at most {@code limit}. */
    public String describeUnknown(int limit) {
        StringBuilder sb = new StringBuilder();
        unknown.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(limit)
                .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(Vocabulary.printable(e.getKey())).append(" ×").append(e.getValue()));
        if (unknown.size() > limit) sb.append(", ...");
        return sb.toString();
    }

    public boolean drops() {
        return replacement < 0;
    }
}
