package dev.streambard.checkpoint;

/** A checkpoint that is missing, incomplete, corrupt or of another format; the message says which file and what to do. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
