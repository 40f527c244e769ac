package dev.streambard.cli;

/** A command's input cannot be used; the message says what to change. */
final class UserException extends RuntimeException {
    UserException(String message) {
        super(message);
    }
}
