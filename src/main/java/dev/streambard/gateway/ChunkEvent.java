package dev.streambard.gateway;

import dev.streambard.contract.ContractException;
import dev.streambard.contract.Contracts;
import java.nio.charset.StandardCharsets;

/**
 * One chunk as a Server-Sent Event: its id is the chunk record's offset in its partition of the chunks
 * topic (a session's chunks all live in one partition, the one its key hashes to), its data the chunk as
 * plain JSON.
 */
record ChunkEvent(long offset, String json) {

    /** The chunk record's value (Avro or JSON, as the service writes it) as plain JSON; null if it is neither. */
    static String json(byte[] value) {
        try {
            return Contracts.GENERATION_CHUNK.toPlainJson(Contracts.GENERATION_CHUNK.decode(value == null ? new byte[0] : value));
        } catch (ContractException e) {
            return null;
        }
    }

    byte[] sse() {
        return ("id: " + offset + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An event with only an id: the browser's EventSource takes it as its last event id without dispatching
     * anything, so a reconnect resumes after it even when no chunk came yet.
     */
    static byte[] position(long offset) {
        return ("id: " + offset + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
