package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.contract.GenerationRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across a real crash: {@code serve} with its embedded broker is killed with SIGKILL while
 * it generates, then started again on the same data folder. The broker's log and the session store come
 * back from disk; what the dead process had not committed is aborted, and generation resumes from the
 * last committed state, so a read_committed reader sees each request's text once, whole, and equal to
 * the text of an uninterrupted run.
 */
class CrashRecoveryTest {
    private static final int SESSIONS = 6;
    /** Long enough that every request is still generating when the first characters of the last one are committed. */
    private static final int MAX_CHARS = 10_000;
    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final List<CliProcess> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (CliProcess c : children) c.close();
    }

    private CliProcess serve(String name, List<String> args) throws Exception {
        CliProcess child = CliProcess.start(name, dir, args);
        children.add(child);
        return child.awaitServing();
    }

    /** Six sessions, each with its own seed text, temperature, top-k and RNG seed. */
    private static List<GenerationRequest> requests() {
        String[] seeds = {"the quick", "a lazy dog", "fox", "sleeps.\n", "over, then", "brown"};
        List<GenerationRequest> out = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            out.add(ServiceTestSupport.request("crash-r" + s, "crash-s" + s, seeds[s], MAX_CHARS, 1000 + s)
                    .setTemperature(0.5 + 0.25 * s).setTopK(s % 3 == 0 ? 0 : 4 + s).build());
        }
        return out;
    }

    @Test
    void aServiceKilledMidGenerationResumesEveryRequestWithNoGapAndNoDuplicate() throws Exception {
        Path model = CliProcess.writeTinyModel(dir.resolve("model"));
        Path config = CliProcess.writeConfig(dir.resolve("serve.properties"), Map.of(
                ServiceConfig.MAX_CHARS, String.valueOf(MAX_CHARS),
                // Short slices, so many commits during a request: a kill finds some of its output committed and some not.
                ServiceConfig.SLICE_MS, "10",
                // The group drops the dead member after this long instead of 45 s; the restart waits for that.
                "streams.session.timeout.ms", "6000"));
        int port = CliProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        List<String> args = List.of("--model", model.toString(), "--data-dir", dir.resolve("data").toString(),
                "--broker-port", String.valueOf(port), "--config", config.toString());
        TopicNames topics = new ServiceConfig(Map.of()).topics();
        List<GenerationRequest> requests = requests();
        List<String> ids = requests.stream().map(GenerationRequest::getRequestId).toList();
        try {
            CliProcess first = serve("serve-1", args);
            ServiceTestSupport.send(bootstrap, topics.requests(), requests);
            try (CommittedChunks before = new CommittedChunks(bootstrap, topics.chunks())) {
                assertTrue(before.readUntil(c -> ids.stream().allMatch(c::started), RESULT_TIMEOUT),
                        "every request has committed output: " + before.progress(ids));
                assertEquals(137, first.kill(), "killed by SIGKILL (128 + 9)");
                assertTrue(ids.stream().noneMatch(before::done), "the kill landed mid-generation of every request: "
                        + before.progress(ids));
            }

            serve("serve-2", args);
            try (CommittedChunks after = new CommittedChunks(bootstrap, topics.chunks())) {
                assertTrue(after.readUntil(c -> c.allDone(ids), RESULT_TIMEOUT), "every request done after the restart: "
                        + after.progress(ids));
                after.assertEveryRequestGeneratesItsReferenceText(requests, CliProcess.load(model));
            }
        } catch (Throwable t) {
            for (CliProcess c : children) System.err.println(c.logs());
            throw t;
        }
    }
}
