package dev.streambard.stream;

import static dev.streambard.stream.ServiceTestSupport.START_TIMEOUT;
import static dev.streambard.stream.ServiceTestSupport.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streambard.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service driven by a Kafka client we did not write: Debian's kcat (librdkafka) produces a JSON
 * request and reads the JSON chunks back, committed records only.
 */
class KcatTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path kafkaDir;
    private static EmbeddedKafka kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void startBroker() {
        if (!Files.isExecutable(KCAT)) {
            String why = KCAT + " is missing: install Debian's kcat (apt-get install kcat; .ci/run does this), "
                    + "the Kafka client this test drives the service with";
            // CI installs it, so there its absence is a failure; on a developer's machine the test is skipped, loudly.
            if (System.getenv("CI") != null) fail(why);
            org.junit.jupiter.api.Assumptions.assumeTrue(false, why);
        }
        kafka = EmbeddedKafka.start(kafkaDir, 0);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    @Test
    void kcatProducesAJsonRequestAndReadsTheGeneratedJsonChunks() throws Exception {
        ServingModel model = ServiceTestSupport.tinyModel(1);
        ServiceConfig config = ServiceTestSupport.config("kcat", work.resolve("state"), Map.of(ServiceConfig.OUTPUT_FORMAT, "json"));
        String bootstrap = kafka.bootstrapServers();
        String seed = "the quick fox";
        try (GenerationService service = GenerationService.start(config, bootstrap, model, START_TIMEOUT)) {
            String line = "s1|{\"requestId\":\"k1\",\"sessionId\":\"s1\",\"seedText\":\"" + seed + "\",\"maxChars\":40,\"rngSeed\":3}\n";
            run(line, KCAT.toString(), "-P", "-b", bootstrap, "-t", config.topics().requests(), "-K", "|");

            ObjectMapper json = new ObjectMapper();
            List<JsonNode> chunks = new ArrayList<>();
            long deadline = System.nanoTime() + RESULT_TIMEOUT.toNanos();
            while (chunks.stream().noneMatch(c -> c.get("done").asBoolean())) {
                if (System.nanoTime() > deadline) {
                    fail("kcat read no done chunk within " + RESULT_TIMEOUT.toSeconds() + " s; read: " + chunks);
                }
                // -e: exit at the end of every partition; the whole topic again each time, so replace.
                String out = run("", KCAT.toString(), "-C", "-b", bootstrap, "-t", config.topics().chunks(),
                        "-o", "beginning", "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%s\\n");
                chunks.clear();
                for (String l : out.split("\n")) if (!l.isBlank()) chunks.add(json.readTree(l));
                if (chunks.stream().noneMatch(c -> c.get("done").asBoolean())) Thread.sleep(200);
            }

            StringBuilder text = new StringBuilder();
            for (int i = 0; i < chunks.size(); i++) {
                JsonNode c = chunks.get(i);
                assertEquals("k1", c.get("requestId").asText());
                assertEquals("s1", c.get("sessionId").asText());
                assertEquals(text.codePointCount(0, text.length()), c.get("index").asInt(), "chunk " + i + ": contiguous, no duplicate");
                assertEquals(i == chunks.size() - 1, c.get("done").asBoolean(), "only the last chunk is done");
                text.append(c.get("text").asText());
            }
            JsonNode last = chunks.get(chunks.size() - 1);
            assertEquals("LENGTH", last.get("finishReason").asText(), last.toString());
            assertTrue(last.get("error").isNull(), last.toString());
            assertEquals(40, text.codePointCount(0, text.length()));
            assertEquals(reference(model, seed, 40, 1.0, 0, 3, "s1"), text.toString(), "the same text as the Generator");
        }
    }

    /** Runs a command with {@code stdin}, bounded by {@link #PROCESS_TIMEOUT}; returns stdout, fails on a non-zero exit. */
    private String run(String stdin, String... command) throws IOException, InterruptedException {
        Path in = Files.createTempFile(work, "stdin", ".txt");
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish within " + PROCESS_TIMEOUT.toSeconds() + " s; stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", command) + " exited with " + p.exitValue() + ": " + Files.readString(err, StandardCharsets.UTF_8));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
