package dev.streambard.gateway;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /sessions/{id}/events}: the session's chunks as Server-Sent Events, each with its offset as id.
 * A client that sends {@code Last-Event-ID} (or {@code ?lastEventId=}) gets every chunk after it once, in
 * order: first read back from Kafka if the hub no longer keeps them, then the kept ones, then live ones. One
 * handler thread per connection writes; the feed only queues, so this connection's speed is its own.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    /** Comments this often let proxies and the server notice a connection that is gone. */
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final byte[] HELLO = "retry: 1000\n: streambard chunks\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PING = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final SessionHub hub;
    private final ChunkHistory history;
    private final int clientBuffer;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong readBacks = new AtomicLong();

    EventStream(SessionHub hub, ChunkHistory history, int clientBuffer) {
        this.hub = hub;
        this.history = history;
        this.clientBuffer = clientBuffer;
    }

    int clients() {
        return clients.get();
    }

    /** Resumes that reached further back than the hub keeps, so were read back from Kafka. */
    long readBacks() {
        return readBacks.get();
    }

    void serve(HttpExchange ex, String session) throws IOException {
        Long after = lastEventId(ex);
        SseClient client = new SseClient(clientBuffer);
        clients.incrementAndGet();
        try {
            SessionHub.Attach attach = hub.attach(session, after, client); // before the headers: once a client sees them, it is attached
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            stream(ex.getResponseBody(), session, after, attach, client);
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the gateway is stopping
        } catch (ChunkHistory.ReadBackException e) {
            LOG.warn("session {}: {}; the client will reconnect", session, e.getMessage());
        } finally {
            hub.detach(session, client);
            clients.decrementAndGet();
        }
    }

    private void stream(OutputStream out, String session, Long after, SessionHub.Attach attach, SseClient client)
            throws IOException, InterruptedException {
        out.write(HELLO);
        Writer writer = new Writer(out, after == null ? Long.MIN_VALUE : after);
        if (!attach.attached()) readBacks.incrementAndGet();
        while (!attach.attached()) {
            history.read(session, attach.partition(), writer.last + 1, attach.readBackTo(), writer::write);
            writer.last = Math.max(writer.last, attach.readBackTo() - 1);
            attach = hub.attach(session, writer.last, client);
        }
        for (ChunkEvent e : attach.replay()) writer.write(e);
        writer.position(attach.upTo());
        while (!client.dropped()) {
            ChunkEvent e = client.next(KEEP_ALIVE);
            if (e != null) writer.write(e);
            else if (!client.dropped()) out.write(PING);
            out.flush();
        }
        // Dropped: closing the connection makes the browser reconnect with Last-Event-ID.
    }

    /** Writes events in offset order, each once: whatever the sources overlap in is skipped here. */
    private static final class Writer {
        private final OutputStream out;
        long last;

        Writer(OutputStream out, long last) {
            this.out = out;
            this.last = last;
        }

        void write(ChunkEvent e) {
            if (e.offset() <= last) return;
            try {
                out.write(e.sse());
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            last = e.offset();
        }

        /** Tells the client it has everything up to {@code offset}, so a reconnect resumes from there. */
        void position(long offset) throws IOException {
            if (offset > last) {
                last = offset;
                out.write(ChunkEvent.position(offset));
            }
            out.flush();
        }
    }

    private static Long lastEventId(HttpExchange ex) {
        String raw = ex.getRequestHeaders().getFirst("Last-Event-ID");
        String name = "Last-Event-ID";
        if (raw == null || raw.isBlank()) {
            raw = Exchanges.queryParameter(ex, "lastEventId");
            name = "lastEventId";
        }
        if (raw == null || raw.isBlank()) return null;
        try {
            long id = Long.parseLong(raw.trim());
            if (id >= -1) return id;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpError.badRequest(name + " must be the id of an event of this stream (an offset, -1 for the start), got '" + raw + "'");
    }
}
