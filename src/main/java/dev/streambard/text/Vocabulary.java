package dev.streambard.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The model's symbols: the sorted distinct Unicode code points of the training text. Index i
 * is the i-th smallest code point, so a vocabulary is rebuilt exactly from its code points
 * (which is how checkpoints store it). Code points, not chars: an emoji is one symbol.
 * Immutable.
 */
public final class Vocabulary {

    private final int[] codePoints; // [size], strictly increasing

    private Vocabulary(int[] codePoints) {
        this.codePoints = codePoints;
    }

    public static Vocabulary fromText(String text) {
        if (text.isEmpty()) {
            throw new CorpusException("Cannot build a vocabulary from empty text. Use a corpus with some text in it.");
        }
        return new Vocabulary(text.codePoints().distinct().sorted().toArray());
    }

    /**
     * Rebuilds a vocabulary from {@link #codePoints()}. Validates instead of sorting, because an
     * unsorted array means a corrupted checkpoint and re-sorting would silently remap indices.
     *
     * @param codePoints strictly increasing valid code points, at least one
     */
    public static Vocabulary of(int[] codePoints) {
        if (codePoints.length == 0) {
            throw new CorpusException("Vocabulary is empty. The checkpoint is damaged; train or download it again.");
        }
        for (int i = 0; i < codePoints.length; i++) {
            if (!Character.isValidCodePoint(codePoints[i])) {
                throw new CorpusException("Vocabulary entry " + i + " (" + codePoints[i]
                        + ") is not a Unicode code point. The checkpoint is damaged; train or download it again.");
            }
            if (i > 0 && codePoints[i] <= codePoints[i - 1]) {
                throw new CorpusException("Vocabulary code points are not sorted and distinct at entry " + i
                        + ". The checkpoint is damaged; train or download it again.");
            }
        }
        return new Vocabulary(codePoints.clone());
    }

    /** A copy, for serialisation; {@link #of(int[])} turns it back into an equal vocabulary. */
    public int[] codePoints() {
        return codePoints.clone();
    }

    public int size() {
        return codePoints.length;
    }

    /** @return the index of the code point, or -1 if it is not in the vocabulary */
    public int indexOf(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    public int codePointAt(int index) {
        return codePoints[index];
    }

    public String decode(int index) {
        return Character.toString(codePoints[index]);
    }

    public String decode(int[] indices) {
        StringBuilder text = new StringBuilder(indices.length);
        for (int index : indices) {
            text.appendCodePoint(codePoints[index]);
        }
        return text.toString();
    }

    /**
     * @return one index per code point of the text
     * @throws UnknownCharactersException naming every distinct character that is not in the vocabulary
     */
    public int[] encode(String text) {
        int[] indices = text.codePoints().map(this::indexOf).toArray();
        if (Arrays.stream(indices).anyMatch(i -> i < 0)) {
            Set<String> unknown = new LinkedHashSet<>();
            text.codePoints().filter(cp -> indexOf(cp) < 0).forEach(cp -> unknown.add(printable(cp)));
            throw new UnknownCharactersException(new ArrayList<>(unknown));
        }
        return indices;
    }

    /** All symbols in index order. */
    public String asString() {
        return new String(codePoints, 0, codePoints.length);
    }

    /** Identifies the vocabulary in checkpoints and events: a model only fits text encoded with the same hash. */
    public String sha256() {
        return Hashes.sha256(asString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A symbol as a person can read it in a message: common escapes ({@code \n}, {@code \t},
     * {@code \r}, {@code \\}), {@code U+XXXX} for control, format and other invisible characters,
     * otherwise the character itself.
     */
    public static String printable(int codePoint) {
        switch (codePoint) {
            case '\n': return "\\n";
            case '\t': return "\\t";
            case '\r': return "\\r";
            case '\\': return "\\\\";
            case ' ': return "' '";
            default: break;
        }
        return isInvisible(codePoint) ? String.format("U+%04X", codePoint) : Character.toString(codePoint);
    }

    private static boolean isInvisible(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return true;
            default:
                return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary other && Arrays.equals(codePoints, other.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + codePoints.length + "]";
    }
}
