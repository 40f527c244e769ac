package dev.streambard.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client for tests, parsing as a browser does (id, data, blank line ends an event) on
 * its own thread; {@link #close()} drops the connection mid-stream, like a browser losing it.
 */
final class EventReader implements AutoCloseable {
    /** One event; data is null for an event that only carries an id (the position the stream starts at). */
    record Event(String id, String data) {
        long offset() {
            return Long.parseLong(id);
        }
    }

    private final InputStream body;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean ended;

    private EventReader(InputStream body) {
        this.body = body;
        this.thread = new Thread(this::read, "test-sse-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the stream at {@code url}, resuming after {@code lastEventId} when it is not null; fails unless 200. */
    static EventReader open(HttpClient http, String url, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String answer = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("GET " + url + ": " + response.statusCode() + " " + answer);
        }
        return new EventReader(response.body());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (id != null || data != null) events.add(new Event(id, data == null ? null : data.toString()));
                    id = null;
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            ended = true;
        }
    }

    /** The next event within {@code timeout}, or null. */
    Event next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once the server has closed the stream and every event read has been taken. */
    boolean ended() {
        return ended && events.isEmpty();
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
