package dev.streambard.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streambard.contract.GenerationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;

/**
 * HTTP for people and browsers, so a frontend never needs a Kafka client: submit requests, follow a session's
 * chunks as Server-Sent Events, the chat page, health, readiness and Prometheus metrics.
 *
 * <pre>
 *   POST /sessions/{id}/requests ─► RequestPublisher ─► requests topic ─► (generation service)
 *   GET  /sessions/{id}/events   ◄─ EventStream ◄─ SessionHub ◄─ ChunkFeed ◄─ chunks topic (read_committed)
 *                                                 ◄─ ChunkHistory (reconnects from further back)
 * </pre>
 */
public final class Gateway implements AutoCloseable {
    private static final String SESSION = "/sessions/([^/]*)";

    private final GatewaySettings settings;
    private final ServiceProbe probe;
    private final RequestPublisher publisher;
    private final ChunkFeed feed;
    private final EventStream events;
    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicLong published = new AtomicLong();

    private Gateway(GatewaySettings settings, String bootstrapServers, ServiceProbe probe) throws IOException {
        this.settings = settings;
        this.probe = probe;
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 64); // binds: a taken port fails first
        RequestPublisher newPublisher = null;
        try {
            newPublisher = new RequestPublisher(bootstrapServers, settings.topics().requests());
            this.feed = new ChunkFeed(bootstrapServers, settings.topics().chunks(), settings);
        } catch (RuntimeException e) {
            if (newPublisher != null) newPublisher.close();
            server.stop(0);
            throw e;
        }
        this.publisher = newPublisher;
        this.events = new EventStream(feed.hub(), new ChunkHistory(bootstrapServers, settings.topics().chunks()), settings.clientBuffer());
        // A thread per connection: an event stream holds its thread for as long as the client listens.
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "streambard-gateway-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", routes());
        server.start();
    }

    /** Starts the gateway: the chunks feed from the topic's end, then the server on {@code settings}' address. */
    public static Gateway start(GatewaySettings settings, String bootstrapServers, ServiceProbe probe) {
        try {
            return new Gateway(settings, bootstrapServers, probe);
        } catch (IOException e) {
            throw new UncheckedIOException("the HTTP gateway cannot listen on " + settings.bind() + ":" + settings.port()
                    + " (" + e.getMessage() + "); choose another --http-port", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://" + settings.bind() + ":" + port() + "/";
    }

    private Router routes() {
        return new Router()
                .route("GET", "/", (ex, m) -> StaticFiles.serve(ex, "index.html"))
                .route("GET", "/(chat\\.js|chat\\.css)", (ex, m) -> StaticFiles.serve(ex, m.group(1)))
                .route("GET", "/health", (ex, m) -> Exchanges.json(ex, 200, Map.of("status", "up")))
                .route("GET", "/ready", (ex, m) -> ready(ex))
                .route("GET", "/metrics", (ex, m) -> metrics(ex))
                .route("POST", SESSION + "/requests", this::request)
                .route("POST", SESSION + "/reset", this::reset)
                .route("POST", SESSION + "/cancel", this::cancel)
                .route("GET", SESSION + "/events", (ex, m) -> events.serve(ex, RequestBody.sessionId(m.group(1))));
    }

    private void request(HttpExchange ex, Matcher path) throws IOException {
        String session = RequestBody.sessionId(path.group(1));
        GenerationRequest r = RequestBody.parse(Exchanges.body(ex), session, settings.maxChars());
        publish(ex, List.of(r));
    }

    /** Starts the session over now: a cancel of whatever runs or waits, then the request with reset set. */
    private void reset(HttpExchange ex, Matcher path) throws IOException {
        String session = RequestBody.sessionId(path.group(1));
        GenerationRequest r = RequestBody.parse(Exchanges.body(ex), session, settings.maxChars());
        if (r.getSeedText().isEmpty()) throw HttpError.badRequest("seedText must not be empty: a reset session starts from a seed");
        r.setReset(true);
        publish(ex, List.of(RequestPublisher.cancel(session, RequestBody.newRequestId()), r));
    }

    private void cancel(HttpExchange ex, Matcher path) throws IOException {
        String session = RequestBody.sessionId(path.group(1));
        publish(ex, List.of(RequestPublisher.cancel(session, RequestBody.cancelRequestId(Exchanges.body(ex)))));
    }

    /** Publishes and answers 202 with the ids; the answer to the last request is its chunks, on the session's events. */
    private void publish(HttpExchange ex, List<GenerationRequest> requests) throws IOException {
        try {
            publisher.publish(requests);
        } catch (RequestPublisher.PublishException e) {
            throw new HttpError(503, e.getMessage());
        }
        published.addAndGet(requests.size());
        GenerationRequest last = requests.get(requests.size() - 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", last.getRequestId());
        body.put("sessionId", last.getSessionId());
        body.put("events", "/sessions/" + last.getSessionId() + "/events");
        Exchanges.json(ex, 202, body);
    }

    private void ready(HttpExchange ex) throws IOException {
        String why = probe.notReady();
        if (why == null) Exchanges.json(ex, 200, Map.of("ready", true));
        else Exchanges.json(ex, 503, Map.of("ready", false, "reason", why));
    }

    private void metrics(HttpExchange ex) throws IOException {
        PrometheusText out = new PrometheusText()
                .gauge("streambard_gateway_sse_clients", "Server-Sent Events connections open now", events.clients())
                .counter("streambard_gateway_sse_dropped_total", "Event-stream clients disconnected for falling too far behind",
                        feed.hub().droppedClients())
                .counter("streambard_gateway_read_backs_total", "Event-stream resumes read back from the chunks topic "
                        + "(further back than the gateway keeps)", events.readBacks())
                .gauge("streambard_gateway_watched_sessions", "Sessions whose recent chunks the gateway keeps for reconnects",
                        feed.hub().watchedSessions())
                .counter("streambard_gateway_published_total", "Requests (and cancels) published to the requests topic", published.get());
        probe.writeMetrics(out);
        Exchanges.send(ex, 200, PrometheusText.CONTENT_TYPE, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Stops listening and closes the connections, ends the event streams, then stops the feed and the producer. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow(); // interrupts the event streams waiting for their next event
        feed.close();
        publisher.close();
    }
}
