package dev.streambard.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;

/**
 * Fans the chunks topic out to Server-Sent Events clients, per session. The feed delivers each partition's
 * records with its new position; a client attaches with the id of the last event it has (an offset in its
 * session's partition) and gets exactly what came after it, once:
 *
 * <pre>
 *   offsets of the session's partition:  ... after | read back from Kafka | kept in the log | live (queued) ...
 *                                                  ^ after+1               ^ coveredFrom     ^ position
 * </pre>
 *
 * Only watched sessions (with a client now, or recently) have a log, so the chunks of other sessions are not
 * even decoded. One lock guards everything: delivering a poll's records and moving the position happen
 * together, so an attach sees either both or neither.
 */
final class SessionHub {
    /** The outcome of an attach: attached, with the kept events to send first, or a range to read back from Kafka first. */
    record Attach(int partition, List<ChunkEvent> replay, long upTo, long readBackTo) {
        boolean attached() {
            return replay != null;
        }
    }

    private final Map<String, SessionLog> logs = new LinkedHashMap<>(16, 0.75f, true); // least recently used first
    private final long[] positions; // per partition: the next offset the feed delivers
    private final int replayChunks;
    private final int maxSessions;
    private final Function<byte[], String> toJson;
    private long dropped;

    /**
     * @param positions where the feed starts, per partition of the chunks topic
     * @param toJson    a chunk record's value as the event's data; null for a record that is not a chunk (skipped)
     */
    SessionHub(long[] positions, int replayChunks, int maxSessions, Function<byte[], String> toJson) {
        this.positions = positions.clone();
        this.replayChunks = replayChunks;
        this.maxSessions = maxSessions;
        this.toJson = toJson;
    }

    /** The partition of the chunks topic a session's chunks go to: the producer's default partitioner (murmur2 of the key). */
    int partitionOf(String session) {
        return Utils.toPositive(Utils.murmur2(session.getBytes(StandardCharsets.UTF_8))) % positions.length;
    }

    /** A record of the chunks topic, as the feed read it. */
    record Chunk(String session, long offset, byte[] value) {
    }

    /** Delivers one partition's records (in offset order) and moves its position past them. */
    synchronized void deliver(int partition, List<Chunk> records, long position) {
        for (Chunk r : records) {
            SessionLog log = r.session() == null ? null : logs.get(r.session());
            if (log == null) continue; // nobody watches this session
            String json = toJson.apply(r.value());
            if (json == null) continue;
            ChunkEvent event = new ChunkEvent(r.offset(), json);
            log.append(event);
            for (Iterator<SseClient> it = log.clients.iterator(); it.hasNext(); ) {
                if (!it.next().offer(event)) {
                    it.remove();
                    dropped++;
                }
            }
        }
        positions[partition] = Math.max(positions[partition], position);
    }

    /**
     * Attaches {@code client} to {@code session} if everything after offset {@code after} (null: from now) is
     * kept; otherwise says up to where the caller must read the chunks back from Kafka first, and try again.
     */
    synchronized Attach attach(String session, Long after, SseClient client) {
        int partition = partitionOf(session);
        SessionLog log = logs.get(session);
        if (log == null) {
            log = new SessionLog(partition, positions[partition], replayChunks);
            logs.put(session, log);
            forgetIdleSessions();
        }
        long upTo = positions[partition] - 1;
        long from = after == null ? upTo : after;
        if (from + 1 < log.coveredFrom()) return new Attach(partition, null, from, log.coveredFrom());
        log.clients.add(client);
        return new Attach(partition, log.after(from), upTo, upTo + 1);
    }

    synchronized void detach(String session, SseClient client) {
        SessionLog log = logs.get(session);
        if (log != null) log.clients.remove(client);
    }

    synchronized long droppedClients() {
        return dropped;
    }

    synchronized int watchedSessions() {
        return logs.size();
    }

    /** Beyond the limit, forgets the least recently used sessions that have no client. */
    private void forgetIdleSessions() {
        for (Iterator<SessionLog> it = logs.values().iterator(); it.hasNext() && logs.size() > maxSessions; ) {
            if (it.next().clients.isEmpty()) it.remove();
        }
    }
}
