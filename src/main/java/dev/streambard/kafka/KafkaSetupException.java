package dev.streambard.kafka;

/**
 * The embedded broker could not start, or a cluster could not be reached or set up; the message names the
 * address or folder involved and what to check.
 */
public class KafkaSetupException extends RuntimeException {
    public KafkaSetupException(String message) {
        super(message);
    }

    public KafkaSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
