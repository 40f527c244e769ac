package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.ingest.TrainerConfig;
import dev.streambard.ingest.TrainerSetup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with no --model and nothing promoted yet: it says it is not ready and why (on standard output
 * and on its gateway's /ready), and starts generating as soon as the trainer promotes version 1.
 */
class ServeWithoutModelTest {
    @TempDir
    Path dir;

    @Test
    void aServiceWithoutAModelWaitsForVersionOneThenServesIt() throws Exception {
        int port = CliProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        Path store = dir.resolve("store");
        Map<String, String> settings = Map.of(TrainerConfig.MODEL_NAME, "late", TrainerConfig.STORE, store.toString());
        Path config = CliProcess.writeConfig(dir.resolve("serve.properties"), settings);
        try (CliProcess serve = CliProcess.start("serve", dir, List.of("--data-dir", dir.resolve("data").toString(),
                "--broker-port", String.valueOf(port), "--config", config.toString()))) {
            awaitOutput(serve, dir.resolve("serve.out"), "not ready: no model yet. Waiting for version 1 of model 'late'");
            assertFalse(Files.readString(dir.resolve("serve.out")).contains("serving "), "it does not claim to serve");
            String gateway = gatewayUrl(dir.resolve("serve.out"));
            HttpResponse<String> notReady = get(gateway + "ready");
            assertEquals(503, notReady.statusCode(), "the gateway runs, and says the service is not ready");
            assertTrue(notReady.body().contains("no model loaded: waiting for version 1 of model 'late'"), notReady.body());

            Path model = CliProcess.writeTinyModel(dir.resolve("trained"));
            TrainerConfig trainer = new TrainerConfig(settings);
            TrainerSetup.ensureTopics(trainer, bootstrap);
            TrainerSetup.prepare(trainer, bootstrap, new CheckpointStore(store, "late"), new TrainerSetup.Init.FromCheckpoint(model),
                    "the quick brown fox jumps over a lazy dog, then sleeps.\n".repeat(20), new PrintStream(new ByteArrayOutputStream()));
            serve.awaitServing();
            assertTrue(Files.readString(dir.resolve("serve.out")).contains("serving model late version 1"), serve.logs());
            assertEquals(200, get(gateway + "ready").statusCode());
            assertTrue(get(gateway + "metrics").body().contains("\nstreambard_model_version 1\n"));

            TopicNames topics = new ServiceConfig(Map.of()).topics();
            GenerationRequest r = ServiceTestSupport.request("first", "s", "the quick", 20, 5).build();
            ServiceTestSupport.send(bootstrap, topics.requests(), List.of(r));
            List<GenerationChunk> chunks = ServiceTestSupport.decode(ServiceTestSupport.readUntil(bootstrap, topics.chunks(),
                    ServiceTestSupport.allDone(List.of("first")), ServiceTestSupport.RESULT_TIMEOUT));
            String text = ServiceTestSupport.assertCompleteText(chunks, "first", 20);
            assertEquals(ServiceTestSupport.reference(CliProcess.load(model), r), text);
            assertTrue(chunks.stream().allMatch(c -> c.getModelVersion() == 1));
        }
    }

    /** The address serve printed for its gateway (on a free port: CliProcess passes --http-port 0). */
    private static String gatewayUrl(Path stdout) throws Exception {
        Matcher m = Pattern.compile("gateway: (http://\\S+/)").matcher(Files.readString(stdout));
        assertTrue(m.find(), "serve prints its gateway's address");
        return m.group(1);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitOutput(CliProcess child, Path stdout, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(stdout) && Files.readString(stdout).contains(text)) return;
            if (!child.isAlive()) throw new AssertionError("serve exited\n" + child.logs());
            Thread.sleep(100);
        }
        throw new AssertionError("serve never printed '" + text + "'\n" + child.logs());
    }
}
