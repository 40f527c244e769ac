package dev.streambard.text;

import java.util.List;

/** Text contains characters the vocabulary (and so the model) has never seen. */
public class UnknownCharactersException extends CorpusException {

    /** Shown in the message at most; {@link #unknown()} still carries all of them. */
    private static final int MAX_LISTED = 20;

    private final List<String> unknown;

    /** @param unknown distinct unknown characters in printable form, see {@link Vocabulary#printable(int)} */
    public UnknownCharactersException(List<String> unknown) {
        super(message(unknown));
        this.unknown = List.copyOf(unknown);
    }

    /** The distinct unknown characters in printable form (e.g. {@code \n}, {@code U+200B}), in order of appearance. */
    public List<String> unknown() {
        return unknown;
    }

    private static String message(List<String> unknown) {
        List<String> listed = unknown.subList(0, Math.min(unknown.size(), MAX_LISTED));
        String more = unknown.size() > MAX_LISTED ? " and " + (unknown.size() - MAX_LISTED) + " more" : "";
        return "Text contains " + unknown.size() + " character(s) not in the model's vocabulary: "
                + String.join(" ", listed) + more
                + ". Remove or replace them, or use a model trained on a corpus that contains them.";
    }
}
