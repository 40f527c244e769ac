package dev.streambard.contract;

/**
 * A message that does not meet its contract: neither Avro single-object encoding nor a JSON
 * object, malformed, missing a required field, of the wrong type, or written with a schema
 * this service has never released. The message says what was expected and what arrived, so
 * it can go onto a dead-letter record as it is.
 */
public class ContractException extends RuntimeException {

    public ContractException(String message) {
        super(message);
    }

    public ContractException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "N bytes: C3 01 5A ..." — at most the first 16 bytes, for error messages. */
    static String describeBytes(byte[] bytes) {
        int shown = Math.min(bytes.length, 16);
        StringBuilder text = new StringBuilder().append(bytes.length).append(bytes.length == 1 ? " byte" : " bytes");
        if (shown > 0) {
            text.append(':');
        }
        for (int i = 0; i < shown; i++) {
            text.append(' ').append(String.format("%02X", bytes[i] & 0xFF));
        }
        if (shown < bytes.length) {
            text.append(" ...");
        }
        return text.toString();
    }
}
