package dev.streambard.ingest;

/** The trainer cannot start or go on as asked; the message says why and what to do. */
public class TrainerException extends RuntimeException {
    public TrainerException(String message) {
        super(message);
    }

    public TrainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
