package dev.streambard.model;

/** A setting out of range: the message names the option and the allowed values. */
public class InvalidConfigException extends IllegalArgumentException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
