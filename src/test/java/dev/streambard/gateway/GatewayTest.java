package dev.streambard.gateway;

import static dev.streambard.stream.ServiceTestSupport.RESULT_TIMEOUT;
import static dev.streambard.stream.ServiceTestSupport.START_TIMEOUT;
import static dev.streambard.stream.ServiceTestSupport.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServiceTestSupport;
import dev.streambard.stream.ServingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a frontend uses it, against a real (embedded) broker and a real generation service with the
 * tiny model: every text is checked against the single-session Generator's.
 */
class GatewayTest {
    /** Far more than the tiny model makes before a cancel lands: the batch steps between slices too, so 10,000 was not. */
    private static final int MAX_CHARS = 1_000_000;

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static ServingModel model;
    private static ServiceConfig config;
    private static GenerationService service;
    private static Gateway gateway;
    private static GatewayClient client;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        model = ServiceTestSupport.tinyModel(4);
        config = ServiceTestSupport.config("gateway", dir.resolve("state"), Map.of(ServiceConfig.MAX_CHARS, MAX_CHARS));
        service = GenerationService.start(config, kafka.bootstrapServers(), model, START_TIMEOUT);
        ServiceProbe probe = new ServiceProbe(() -> model, null, "(not used)");
        probe.started(service);
        gateway = startGateway(settings(), probe);
        client = new GatewayClient(gateway);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (service != null) service.close();
        if (kafka != null) kafka.close();
    }

    private static GatewaySettings settings() {
        return GatewaySettings.from(config).withPort(0);
    }

    private static Gateway startGateway(GatewaySettings settings, ServiceProbe probe) {
        return Gateway.start(settings, kafka.bootstrapServers(), probe);
    }

    /** A chunk event: its id and the chunk. */
    private record Chunk(long offset, JsonNode json) {
    }

    /** Takes the position event a stream starts with (when it resumes nothing); its id is where it starts. */
    private static long position(EventReader events) throws InterruptedException {
        EventReader.Event e = events.next(Duration.ofSeconds(10));
        assertNotNull(e, "the stream starts with an id-only event");
        assertNull(e.data(), "the first event of a fresh stream carries only an id: " + e);
        return e.offset();
    }

    /** Reads chunk events until {@code requestId}'s done chunk, or until {@code count} chunks of it were read. */
    private static List<Chunk> read(EventReader events, String requestId, int count) throws InterruptedException, IOException {
        List<Chunk> out = new ArrayList<>();
        long deadline = System.nanoTime() + RESULT_TIMEOUT.toNanos();
        while (out.size() < count && (out.isEmpty() || !out.get(out.size() - 1).json().get("done").asBoolean())) {
            EventReader.Event e = events.next(Duration.ofMillis(200));
            if (System.nanoTime() > deadline) fail("no done chunk for " + requestId + " within " + RESULT_TIMEOUT + "; read " + out.size());
            if (e == null && events.ended()) fail("the gateway closed the stream after " + out.size() + " chunks of " + requestId);
            if (e == null || e.data() == null) continue;
            JsonNode chunk = GatewayClient.JSON.readTree(e.data());
            if (chunk.get("requestId").asText().equals(requestId)) out.add(new Chunk(e.offset(), chunk));
        }
        return out;
    }

    private static List<Chunk> readUntilDone(EventReader events, String requestId) throws InterruptedException, IOException {
        return read(events, requestId, Integer.MAX_VALUE);
    }

    /** Asserts the chunks are one request's whole output, contiguous, once, in offset order; returns its text. */
    private static String text(List<Chunk> chunks, int maxChars) {
        StringBuilder sb = new StringBuilder();
        long lastOffset = -1;
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode c = chunks.get(i).json();
            assertTrue(chunks.get(i).offset() > lastOffset, "event ids increase: " + chunks.get(i).offset() + " after " + lastOffset);
            lastOffset = chunks.get(i).offset();
            assertEquals(sb.codePointCount(0, sb.length()), c.get("index").asInt(), "chunk " + i + ": no gap, no duplicate");
            assertEquals(i == chunks.size() - 1, c.get("done").asBoolean(), "only the last chunk is done");
            assertEquals(4, c.get("modelVersion").asLong(), "each chunk names the model version");
            sb.append(c.get("text").asText());
        }
        assertEquals("LENGTH", chunks.get(chunks.size() - 1).json().get("finishReason").asText());
        assertEquals(maxChars, sb.codePointCount(0, sb.length()));
        return sb.toString();
    }

    private static String submit(GatewayClient c, String session, String body) throws IOException, InterruptedException {
        GatewayClient.Answer a = c.post("/sessions/" + session + "/requests", body);
        assertEquals(202, a.status(), a.body());
        assertEquals(session, a.json().get("sessionId").asText());
        return a.json().get("requestId").asText();
    }

    @Test
    void aRequestSubmittedOverHttpStreamsItsTextAsEvents() throws Exception {
        try (EventReader events = client.events("g-one", null)) {
            position(events);
            String id = submit(client, "g-one", "{\"seedText\":\"the quick\",\"maxChars\":60,\"temperature\":0.8,\"rngSeed\":5}");
            List<Chunk> chunks = readUntilDone(events, id);
            assertEquals(reference(model, "the quick", 60, 0.8, 0, 5, "g-one"), text(chunks, 60));
            for (Chunk c : chunks) assertEquals("g-one", c.json().get("sessionId").asText());

            // The same session continues where it stopped; the gateway chose both request ids.
            String next = submit(client, "g-one", "{\"seedText\":\"\",\"maxChars\":20,\"temperature\":0.8,\"rngSeed\":5}");
            assertTrue(!next.equals(id), "a new request id per request");
            String continued = text(readUntilDone(events, next), 20);
            assertEquals(reference(model, "the quick", 80, 0.8, 0, 5, "g-one"), reference(model, "the quick", 60, 0.8, 0, 5, "g-one") + continued);
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissedOnce() throws Exception {
        String session = "g-resume";
        List<Chunk> chunks;
        String id;
        try (EventReader first = client.events(session, null)) {
            position(first);
            id = submit(client, session, "{\"requestId\":\"resume-1\",\"seedText\":\"a lazy dog\",\"maxChars\":300,\"rngSeed\":7}");
            assertEquals("resume-1", id, "a request id in the body is kept");
            chunks = new ArrayList<>(read(first, id, 40));
        }
        Thread.sleep(200); // generation goes on while the client is away
        try (EventReader second = client.events(session, String.valueOf(chunks.get(chunks.size() - 1).offset()))) {
            chunks.addAll(readUntilDone(second, id));
        }
        assertEquals(reference(model, "a lazy dog", 300, 1.0, 0, 7, session), text(chunks, 300));
        assertEquals(0, metric(client, "streambard_gateway_read_backs_total"), "the gateway's window reached back far enough");
    }

    @Test
    void aResumeFurtherBackThanTheGatewayKeepsIsReadBackFromKafka() throws Exception {
        // A window of 8 chunks; the client queue as usual (under exactly-once a commit's chunks arrive at once).
        GatewaySettings small = new GatewaySettings("127.0.0.1", 0, 8, 10, 4096, MAX_CHARS, config.topics());
        String session = "g-history";
        try (Gateway keepsLittle = startGateway(small, new ServiceProbe(() -> model, null, "-"))) {
            GatewayClient c = new GatewayClient(keepsLittle);
            List<Chunk> all;
            try (EventReader events = c.events(session, null)) {
                position(events);
                all = readUntilDone(events, submit(c, session, "{\"seedText\":\"fox\",\"maxChars\":100,\"rngSeed\":3}"));
            }
            assertEquals(reference(model, "fox", 100, 1.0, 0, 3, session), text(all, 100));

            try (EventReader resumed = c.events(session, String.valueOf(all.get(9).offset()))) {
                assertEquals(all.subList(10, all.size()), readUntilDone(resumed, all.get(0).json().get("requestId").asText()),
                        "the same events after the 10th, once each");
            }
            try (EventReader whole = EventReader.open(c.http, c.url("/sessions/" + session + "/events?lastEventId=-1"), null)) {
                assertEquals(all, readUntilDone(whole, all.get(0).json().get("requestId").asText()), "-1: the session's whole history");
            }
            assertEquals(2, metric(c, "streambard_gateway_read_backs_total"));
        }
    }

    @Test
    void cancelEndsTheRunningRequestAndResetStartsTheSessionOverFromASeed() throws Exception {
        String session = "g-cancel";
        try (EventReader events = client.events(session, null)) {
            position(events);
            String running = submit(client, session, "{\"seedText\":\"the dog\",\"maxChars\":" + MAX_CHARS + "}");
            read(events, running, 5);
            GatewayClient.Answer cancel = client.post("/sessions/" + session + "/cancel", "");
            assertEquals(202, cancel.status(), cancel.body());
            List<Chunk> rest = readUntilDone(events, running);
            JsonNode last = rest.get(rest.size() - 1).json();
            assertEquals("CANCELLED", last.get("finishReason").asText(), last.toString());
            assertTrue(last.get("index").asInt() < MAX_CHARS, "it ended early: " + last);

            GatewayClient.Answer reset = client.post("/sessions/" + session + "/reset", "{\"seedText\":\"fox\",\"maxChars\":20,\"rngSeed\":3}");
            assertEquals(202, reset.status(), reset.body());
            List<Chunk> fresh = readUntilDone(events, reset.json().get("requestId").asText());
            assertEquals(reference(model, "fox", 20, 1.0, 0, 3, session), text(fresh, 20), "the text of a new session with that seed");
        }
    }

    @Test
    void badRequestsGetA4xxWithAJsonErrorSayingWhatToFix() throws Exception {
        String requests = "/sessions/g-bad/requests";
        assertError(client.post(requests, "{\"seedText\": \"the\""), 400, "not valid JSON");
        assertError(client.post(requests, ""), 400, "the body is empty");
        assertError(client.post(requests, "[\"the\"]"), 400, "must be a JSON object");
        assertError(client.post(requests, "{}"), 400, "seedText is missing");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"maxChars\":0}"), 400, "maxChars must be between 1 and " + MAX_CHARS);
        assertError(client.post(requests, "{\"seedText\":\"the\",\"maxChars\":" + (MAX_CHARS + 1) + "}"), 400, "maxChars must be between 1");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"maxChars\":\"many\"}"), 400, "maxChars must be an integer");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"temperature\":0}"), 400, "temperature must be a number > 0");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"temperature\":-0.5}"), 400, "temperature must be a number > 0");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"topK\":-1}"), 400, "topK must be 0");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"colour\":\"red\"}"), 400, "unknown field 'colour'");
        assertError(client.post(requests, "{\"seedText\":\"the\",\"cancel\":true}"), 400, "/sessions/g-bad/cancel");
        assertError(client.post("/sessions/no%20spaces/requests", "{\"seedText\":\"the\"}"), 400, "session id 'no%20spaces' is not valid");
        assertError(client.post("/sessions/" + "x".repeat(129) + "/requests", "{\"seedText\":\"the\"}"), 400, "1 to 128 letters");
        assertError(client.post("/sessions/g-bad/reset", "{\"seedText\":\"\"}"), 400, "a reset session starts from a seed");
        assertError(client.post("/sessions/g-bad/cancel", "{\"why\":1}"), 400, "a cancel takes only requestId");

        GatewayClient.Answer wrongMethod = client.get(requests);
        assertError(wrongMethod, 405, "GET is not allowed on /sessions/g-bad/requests; use POST");
        assertEquals("POST", wrongMethod.response().headers().firstValue("Allow").orElse(null));
        assertError(client.send("DELETE", "/health", null), 405, "use GET");
        assertError(client.get("/nothing/here"), 404, "no such path: /nothing/here");
        assertError(client.get("/sessions/g-bad"), 404, "no such path");

        var badId = client.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(client.url("/sessions/g-bad/events")))
                .header("Last-Event-ID", "yesterday").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badId.statusCode());
        assertTrue(badId.body().contains("Last-Event-ID must be the id of an event"), badId.body());
    }

    private static void assertError(GatewayClient.Answer a, int status, String says) {
        assertEquals(status, a.status(), a.body());
        assertTrue(a.response().headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "a JSON body");
        JsonNode error = a.json();
        assertEquals(status, error.get("status").asInt());
        assertTrue(error.get("error").asText().contains(says), "'" + error.get("error").asText() + "' should say '" + says + "'");
    }

    @Test
    void readyOnlyOnceKafkaStreamsRunsWithAModel() throws Exception {
        try (Gateway noModel = startGateway(settings(), new ServiceProbe(() -> null, null, "waiting for version 1 of model 'x'"))) {
            GatewayClient c = new GatewayClient(noModel);
            assertEquals(200, c.get("/health").status(), "alive while not ready");
            GatewayClient.Answer notReady = c.get("/ready");
            assertEquals(503, notReady.status());
            assertEquals(false, notReady.json().get("ready").asBoolean());
            assertEquals("no model loaded: waiting for version 1 of model 'x'", notReady.json().get("reason").asText());
            assertTrue(c.get("/metrics").body().contains("\nstreambard_ready 0\n"));
        }
        ServiceProbe probe = new ServiceProbe(() -> model, null, "-");
        try (Gateway starting = startGateway(settings(), probe)) {
            GatewayClient c = new GatewayClient(starting);
            GatewayClient.Answer notYet = c.get("/ready");
            assertEquals(503, notYet.status());
            assertEquals("the generation service is starting", notYet.json().get("reason").asText());
            probe.started(service);
            GatewayClient.Answer ready = c.get("/ready");
            assertEquals(200, ready.status(), ready.body());
            assertEquals(true, ready.json().get("ready").asBoolean());
        }
    }

    @Test
    void metricsHaveTheServiceAndGatewaySeriesInPrometheusTextFormat() throws Exception {
        try (EventReader events = client.events("g-metrics", null)) {
            position(events);
            String bad = submit(client, "g-metrics", "{\"seedText\":\"Zebra\",\"maxChars\":5}"); // 'Z' is not in the vocabulary
            JsonNode error = read(events, bad, 1).get(0).json();
            assertEquals("ERROR", error.get("finishReason").asText(), "what the model cannot take comes back as an ERROR chunk");
            assertTrue(error.get("error").asText().contains("Z"), error.toString());
            text(readUntilDone(events, submit(client, "g-metrics", "{\"seedText\":\"the\",\"maxChars\":30}")), 30);
        }
        GatewayClient.Answer a = client.get("/metrics");
        assertEquals(200, a.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", a.response().headers().firstValue("Content-Type").orElse(null));
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*})? (NaN|[+-]Inf|-?[0-9.eE+-]+)");
        for (String line : a.body().split("\n")) {
            if (!line.startsWith("#")) assertTrue(sample.matcher(line).matches(), "a Prometheus sample line: " + line);
        }
        assertEquals(1, metric(client, "streambard_ready"));
        assertEquals(4, metric(client, "streambard_model_version"));
        assertEquals(0, metric(client, "streambard_model_swaps_total"));
        assertEquals(0, metric(client, "streambard_checkpoints_refused_total"));
        assertTrue(metric(client, "streambard_chunks_total") >= 31, "30 characters and the error were chunks");
        assertTrue(metric(client, "streambard_dead_letters_total") >= 1);
        metric(client, "streambard_chunks_per_second");
        metric(client, "streambard_active_sessions");
        metric(client, "streambard_gateway_sse_clients");
        metric(client, "streambard_gateway_sse_dropped_total");
        assertTrue(metric(client, "streambard_gateway_published_total") >= 2);
        // The first character comes from the seed's prefill; the other 29 from batch steps, each timed.
        assertTrue(metric(client, "streambard_step_seconds_count") >= 29, "every batch step is timed");
        assertTrue(a.body().contains("streambard_step_seconds_bucket{le=\"+Inf\"} "), a.body());
        assertTrue(metric(client, "streambard_first_char_seconds_count") >= 1, "the request's first character was timed");
        assertTrue(metric(client, "streambard_first_char_seconds_sum") > 0);
        assertTrue(a.body().contains("# TYPE streambard_step_seconds histogram\n"));
        metric(client, "streambard_batch_size");
        assertTrue(a.body().contains("# TYPE kafka_streams_stream_thread_metrics_process_total counter\n"), "Kafka Streams' own metrics");
        assertTrue(a.body().contains("kafka_streams_stream_streambard_metrics_live_sessions{"), "the processor's gauge, labelled by task");
    }

    /** The value of an unlabelled series on the gateway's /metrics; fails when it is missing. */
    private static double metric(GatewayClient c, String name) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(c.get("/metrics").body());
        if (!m.find()) fail("no series " + name + " on /metrics");
        return Double.parseDouble(m.group(1));
    }
}
