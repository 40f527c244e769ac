package dev.streambard.text;

/**
 * A problem with the training text or its vocabulary that the user can fix. The message
 * says what is wrong and what to do about it; callers show it as is, without a stack trace.
 */
public class CorpusException extends RuntimeException {

    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
