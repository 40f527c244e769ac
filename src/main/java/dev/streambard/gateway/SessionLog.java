package dev.streambard.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One watched session in the {@link SessionHub}: its recent chunk events and its connected clients. Not thread-safe. */
final class SessionLog {
    final int partition;
    final Set<SseClient> clients = new LinkedHashSet<>();
    private final Deque<ChunkEvent> events = new ArrayDeque<>();
    private final int capacity;
    /** Every chunk of this session at an offset >= coveredFrom that the feed has delivered is in {@link #events}. */
    private long coveredFrom;

    SessionLog(int partition, long coveredFrom, int capacity) {
        this.partition = partition;
        this.coveredFrom = coveredFrom;
        this.capacity = capacity;
    }

    void append(ChunkEvent e) {
        events.addLast(e);
        if (events.size() > capacity) coveredFrom = events.removeFirst().offset() + 1;
    }

    long coveredFrom() {
        return coveredFrom;
    }

    /** The kept events after {@code offset}, oldest first. */
    List<ChunkEvent> after(long offset) {
        List<ChunkEvent> out = new ArrayList<>();
        for (ChunkEvent e : events) if (e.offset() > offset) out.add(e);
        return out;
    }
}
