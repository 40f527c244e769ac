package dev.streambard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fan-out on its own: resuming from an offset, the kept window, and dropping a client that falls behind. */
class SessionHubTest {
    private static final int PARTITIONS = 3;

    /** A hub whose records' values are their JSON already. */
    private static SessionHub hub(int replayChunks, int maxSessions) {
        return new SessionHub(new long[PARTITIONS], replayChunks, maxSessions, v -> new String(v, StandardCharsets.UTF_8));
    }

    /** Chunks of {@code session} at {@code offsets}, each with its offset as text. */
    private static List<SessionHub.Chunk> chunks(String session, long... offsets) {
        List<SessionHub.Chunk> out = new ArrayList<>();
        for (long o : offsets) out.add(new SessionHub.Chunk(session, o, ("{\"at\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static List<Long> drain(SseClient client) throws InterruptedException {
        List<Long> out = new ArrayList<>();
        for (ChunkEvent e; (e = client.next(Duration.ZERO)) != null; ) out.add(e.offset());
        return out;
    }

    private static List<Long> offsets(List<ChunkEvent> events) {
        return events.stream().map(ChunkEvent::offset).toList();
    }

    @Test
    void aSlowClientIsDroppedAndCountedWhileTheOthersGetEverything() throws InterruptedException {
        SessionHub hub = hub(100, 10);
        SseClient slow = new SseClient(4);
        SseClient fast = new SseClient(100);
        int p = hub.partitionOf("s");
        assertTrue(hub.attach("s", null, slow).attached());
        assertTrue(hub.attach("s", null, fast).attached());

        hub.deliver(p, chunks("s", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 10);

        assertTrue(slow.dropped(), "a client with 4 places and 10 events is dropped");
        assertNull(slow.next(Duration.ZERO), "a dropped client gets nothing more");
        assertEquals(1, hub.droppedClients());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), drain(fast));

        // The dropped client reconnects with the id of the last event it wrote (say 3) and gets the rest, once.
        SseClient again = new SseClient(100);
        SessionHub.Attach a = hub.attach("s", 3L, again);
        assertTrue(a.attached());
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), offsets(a.replay()));
        assertEquals(9, a.upTo());
        hub.deliver(p, chunks("s", 12), 13);
        assertEquals(List.of(12L), drain(again));
    }

    @Test
    void aResumeFurtherBackThanTheKeptWindowAsksForAReadBackFirst() {
        SessionHub hub = hub(4, 10);
        int p = hub.partitionOf("s");
        hub.attach("s", null, new SseClient(100)); // a watched session: its chunks are kept
        hub.deliver(p, chunks("s", 0, 2, 4, 6, 8, 10), 11); // 4 kept: 4, 6, 8, 10

        SessionHub.Attach back = hub.attach("s", 1L, new SseClient(100));
        assertFalse(back.attached());
        assertEquals(p, back.partition());
        assertEquals(3, back.readBackTo(), "offsets 2..2 come from Kafka, then the kept window from 3 on");

        SessionHub.Attach kept = hub.attach("s", 2L, new SseClient(100));
        assertTrue(kept.attached());
        assertEquals(List.of(4L, 6L, 8L, 10L), offsets(kept.replay()));
    }

    @Test
    void chunksOfOtherSessionsAndOtherPartitionsOnlyMoveThePosition() {
        SessionHub hub = hub(100, 10);
        String session = "watched";
        int p = hub.partitionOf(session);
        SseClient client = new SseClient(100);
        hub.attach(session, null, client);
        hub.deliver(p, chunks("someone-else", 0, 1), 2);
        SessionHub.Attach now = hub.attach(session, null, new SseClient(100));
        assertEquals(1, now.upTo(), "a new client starts after what the feed has read");
        assertEquals(List.of(), now.replay());
    }

    @Test
    void idleSessionsBeyondTheLimitAreForgottenLeastRecentlyUsedFirst() {
        SessionHub hub = hub(100, 2);
        SseClient listening = new SseClient(10);
        hub.attach("a", null, listening);
        SseClient gone = new SseClient(10);
        hub.attach("b", null, gone);
        hub.detach("b", gone);
        hub.attach("c", null, new SseClient(10));
        assertEquals(2, hub.watchedSessions(), "b had no client: forgotten; a still has one");
    }
}
