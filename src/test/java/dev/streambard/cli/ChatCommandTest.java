package dev.streambard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.stream.CliProcess;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServiceTestSupport;
import dev.streambard.stream.ServingModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streambard chat} in a child JVM with piped standard input, against a running service on an embedded broker. */
class ChatCommandTest {
    @TempDir
    Path dir;

    @Test
    void eachLineIsSentAndItsContinuationPrintedContinuingTheSession() throws Exception {
        ServingModel model = ServiceTestSupport.tinyModel(1);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            ServiceConfig config = ServiceTestSupport.config("chat", dir.resolve("state"), Map.of());
            Path settings = CliProcess.writeConfig(dir.resolve("chat.properties"), Map.of(
                    ServiceConfig.REQUESTS_TOPIC, config.topics().requests(), ServiceConfig.CHUNKS_TOPIC, config.topics().chunks()));
            // A seed, an empty line (continue where the text stopped), a seed the model cannot take.
            Path stdin = Files.writeString(dir.resolve("stdin.txt"), "the lazy\n\nZebra\n", StandardCharsets.UTF_8);
            try (GenerationService service = GenerationService.start(config, kafka.bootstrapServers(), model, ServiceTestSupport.START_TIMEOUT);
                 CliProcess chat = CliProcess.run("chat", dir, List.of("chat", "--session", "s", "--bootstrap-servers", kafka.bootstrapServers(),
                         "--config", settings.toString(), "--chars", "12", "--rng-seed", "21"), stdin)) {
                assertEquals(0, chat.awaitExit(Duration.ofSeconds(120)), chat.logs());
                // The continuation feeds the last sampled character first, so two turns of 12 equal one request of 24.
                String both = ServiceTestSupport.reference(model, "the lazy", 24, 1.0, 0, 21, "s");
                assertEquals(both.substring(0, 12) + "\n" + both.substring(12) + "\n" + "\n", chat.stdout(), chat.logs());
                String err = Files.readString(dir.resolve("chat.err"), StandardCharsets.UTF_8);
                assertTrue(err.contains("error: seedText") && err.contains("Z"), "the service's reason for the third line\n" + chat.logs());
            }
        }
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsSent() {
        assertEquals(2, Main.run("chat", "--chars", "0"));
        assertEquals(2, Main.run("chat", "--temperature", "0"));
    }
}
