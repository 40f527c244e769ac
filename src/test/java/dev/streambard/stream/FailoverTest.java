package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.contract.GenerationRequest;
import dev.streambard.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve} processes with the same application id on one cluster share the request
 * partitions. One is killed with SIGKILL while both generate; the survivor takes over its tasks,
 * restores their sessions from the changelog, and finishes every request: once, whole, and with the
 * text of an uninterrupted run.
 */
class FailoverTest {
    private static final int PARTITIONS = 4;
    private static final int SESSIONS_PER_PARTITION = 2;
    /** Long enough that every request is still generating when the first characters of the last one are committed. */
    private static final int MAX_CHARS = 10_000;
    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private EmbeddedKafka kafka;
    private final List<CliProcess> children = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (CliProcess c : children) c.close();
        if (kafka != null) kafka.close();
    }

    /** Two sessions on each partition (Kafka's default partitioner), so each instance owns some of them. */
    private static List<GenerationRequest> requests() {
        String[] seeds = {"the quick", "a lazy dog", "fox", "sleeps.\n", "over, then", "brown", "jumps", "dog, then"};
        int[] perPartition = new int[PARTITIONS];
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; out.size() < PARTITIONS * SESSIONS_PER_PARTITION; i++) {
            String session = "failover-s" + i;
            int partition = Utils.toPositive(Utils.murmur2(session.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            if (perPartition[partition]++ >= SESSIONS_PER_PARTITION) continue;
            int n = out.size();
            out.add(ServiceTestSupport.request("failover-r" + i, session, seeds[n], MAX_CHARS, 2000 + i)
                    .setTemperature(0.5 + 0.2 * n).setTopK(n % 3 == 0 ? 0 : 3 + n).build());
        }
        return out;
    }

    @Test
    void whenOneInstanceDiesItsSessionsContinueOnTheOther() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        String bootstrap = kafka.bootstrapServers();
        Path model = CliProcess.writeTinyModel(dir.resolve("model"));
        Path config = CliProcess.writeConfig(dir.resolve("serve.properties"), Map.of(
                ServiceConfig.PARTITIONS, String.valueOf(PARTITIONS),
                ServiceConfig.MAX_CHARS, String.valueOf(MAX_CHARS),
                ServiceConfig.SLICE_MS, "10",
                // The group notices the dead instance after this long, instead of the default 45 s.
                "streams.session.timeout.ms", "6000",
                "streams.heartbeat.interval.ms", "1000"));
        ServiceConfig settings = new ServiceConfig(Map.of());
        TopicNames topics = settings.topics();
        List<GenerationRequest> requests = requests();
        List<String> ids = requests.stream().map(GenerationRequest::getRequestId).toList();
        try {
            for (String name : List.of("serve-a", "serve-b")) {
                children.add(CliProcess.start(name, dir, List.of("--model", model.toString(), "--bootstrap-servers", bootstrap,
                        "--data-dir", dir.resolve(name).toString(), "--config", config.toString())));
            }
            for (CliProcess c : children) c.awaitServing();
            awaitBothInstancesOwnPartitions(bootstrap, settings.getString(ServiceConfig.APPLICATION_ID));

            ServiceTestSupport.send(bootstrap, topics.requests(), requests);
            try (CommittedChunks chunks = new CommittedChunks(bootstrap, topics.chunks())) {
                assertTrue(chunks.readUntil(c -> ids.stream().allMatch(c::started), RESULT_TIMEOUT),
                        "every request has committed output");
                assertEquals(137, children.get(0).kill(), "killed by SIGKILL (128 + 9)");
                assertTrue(ids.stream().noneMatch(chunks::done), "the kill landed mid-generation of every request: "
                        + chunks.progress(ids));

                assertTrue(chunks.readUntil(c -> c.allDone(ids), RESULT_TIMEOUT), "every request done after the failover: "
                        + chunks.progress(ids));
                assertTrue(children.get(1).isAlive(), "the survivor still runs");
                chunks.assertEveryRequestGeneratesItsReferenceText(requests, CliProcess.load(model));
            }
        } catch (Throwable t) {
            for (CliProcess c : children) System.err.println(c.logs());
            throw t;
        }
    }

    /** Bounded wait until the group has two members and each is assigned request partitions. */
    private static void awaitBothInstancesOwnPartitions(String bootstrap, String group) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + CliProcess.SERVING_TIMEOUT.toNanos();
            Collection<MemberDescription> members = List.of();
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
                members = d.members();
                if (members.size() == 2 && members.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) return;
                Thread.sleep(200);
            }
            throw new AssertionError("the two instances do not share the partitions: " + members);
        }
    }
}
