package dev.streambard.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TopicAdminTest {

    @TempDir
    static Path dataDir;
    static EmbeddedKafka kafka;
    static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(dataDir, 0);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) admin.close(Duration.ofSeconds(5));
        if (kafka != null) kafka.close();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    @Test
    void createsMissingTopicsWithTheirPartitionsAndConfigs() throws Exception {
        TopicSpec requests = new TopicSpec("ta-requests", 3, 1);
        TopicSpec checkpoints = TopicSpec.compacted("ta-checkpoints", 1, 1);

        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(requests, checkpoints));

        assertEquals(3, describe("ta-requests").partitions().size());
        assertTrue(describe("ta-requests").partitions().stream().allMatch(p -> p.leader() != null));
        assertEquals(1, describe("ta-checkpoints").partitions().size());
        assertEquals("compact", topicConfig("ta-checkpoints").get("cleanup.policy").value());
        assertEquals("delete", topicConfig("ta-requests").get("cleanup.policy").value());
    }

    @Test
    void leavesExistingTopicsAlone() throws Exception {
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ta-existing", 2, 1, Map.of("retention.ms", "60000"))));
        Uuid id = describe("ta-existing").topicId();

        // Same spec again, then more partitions and another config asked for: warnings at most, no change.
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ta-existing", 2, 1, Map.of("retention.ms", "60000"))));
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(TopicSpec.compacted("ta-existing", 6, 1)));

        TopicDescription after = describe("ta-existing");
        assertEquals(id, after.topicId(), "the topic was not recreated");
        assertEquals(2, after.partitions().size());
        assertEquals("delete", topicConfig("ta-existing").get("cleanup.policy").value());
        assertEquals("60000", topicConfig("ta-existing").get("retention.ms").value());
    }

    @Test
    void createsOnlyTheMissingOnesOfAMixedList() throws Exception {
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ta-mixed-a", 1, 1)));
        Uuid idA = describe("ta-mixed-a").topicId();

        TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ta-mixed-a", 1, 1), new TopicSpec("ta-mixed-b", 4, 1)));

        assertEquals(idA, describe("ta-mixed-a").topicId());
        assertEquals(4, describe("ta-mixed-b").partitions().size());
        assertTrue(admin.listTopics().names().get().containsAll(Set.of("ta-mixed-a", "ta-mixed-b")));
    }

    @Test
    void aRefusedTopicFailsWithTheBrokersReason() {
        // More replicas than the one broker has.
        KafkaSetupException e = assertThrows(KafkaSetupException.class,
                () -> TopicAdmin.ensureTopics(kafka.bootstrapServers(), List.of(new TopicSpec("ta-three-replicas", 1, 3))));
        assertTrue(e.getMessage().contains(kafka.bootstrapServers()), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("replication"), e.getMessage());
    }

    @Test
    void anUnreachableClusterFailsWithinTheTimeoutNamingTheAddress() {
        long start = System.nanoTime();
        KafkaSetupException e = assertThrows(KafkaSetupException.class,
                () -> TopicAdmin.ensureTopics("127.0.0.1:1", List.of(new TopicSpec("nowhere", 1, 1)), Duration.ofSeconds(2)));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
        assertTrue(ms >= 1_900 && ms < 5_000, "failed after " + ms + " ms");
    }

    @Test
    void specsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("bad name", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("..", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("t", 1, 0));
        assertEquals(TopicSpec.CLUSTER_DEFAULT_REPLICATION, new TopicSpec("t", 1, -1).replicationFactor());
        assertThrows(IllegalArgumentException.class, () -> TopicAdmin.ensureTopics(kafka.bootstrapServers(),
                List.of(new TopicSpec("t", 1, 1), new TopicSpec("t", 2, 1))));
    }
}
