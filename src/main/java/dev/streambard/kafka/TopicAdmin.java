package dev.streambard.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service needs and leaves existing ones alone: a topic that exists with other
 * settings is reported in the log, never changed, because repartitioning moves keys between partitions
 * (and so sessions between state stores).
 */
public final class TopicAdmin {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    private static final long POLL_MS = 50;

    private TopicAdmin() {
    }

    /** {@link #ensureTopics(String, Collection, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static void ensureTopics(String bootstrapServers, Collection<TopicSpec> specs) {
        ensureTopics(bootstrapServers, specs, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the topics of {@code specs} that do not exist yet and returns once every one of them has a
     * leader for each partition. Existing topics are left as they are; fewer partitions than asked, or a
     * differing config, is logged as a warning.
     *
     * @throws KafkaSetupException when the cluster does not answer within {@code timeout} or refuses a topic
     */
    public static void ensureTopics(String bootstrapServers, Collection<TopicSpec> specs, Duration timeout) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        Map<String, TopicSpec> byName = byName(specs);
        if (byName.isEmpty()) return;

        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin;
        try {
            admin = Admin.create(adminProperties(bootstrapServers, timeout));
        } catch (RuntimeException e) {
            throw new KafkaSetupException("cannot use Kafka bootstrap servers '" + bootstrapServers + "': " + e.getMessage(), e);
        }
        try {
            Set<String> existing = await(admin.listTopics().names(), deadline, bootstrapServers, timeout);
            List<TopicSpec> missing = byName.values().stream().filter(s -> !existing.contains(s.name())).toList();
            List<TopicSpec> present = byName.values().stream().filter(s -> existing.contains(s.name())).toList();
            create(admin, missing, deadline, bootstrapServers, timeout);
            warnAboutDifferences(admin, present, deadline, bootstrapServers, timeout);
            awaitLeaders(admin, missing, deadline, bootstrapServers, timeout);
        } finally {
            // Zero: calls still pending after a timeout are abandoned rather than waited for a second time.
            admin.close(Duration.ZERO);
        }
    }

    private static Map<String, TopicSpec> byName(Collection<TopicSpec> specs) {
        Objects.requireNonNull(specs, "specs");
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            TopicSpec earlier = byName.putIfAbsent(spec.name(), spec);
            if (earlier != null && !earlier.equals(spec)) {
                throw new IllegalArgumentException("topic " + spec.name() + " is declared twice, differently: " + earlier + " and " + spec);
            }
        }
        return byName;
    }

    private static Properties adminProperties(String bootstrapServers, Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streambard-topic-admin");
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return p;
    }

    private static void create(Admin admin, List<TopicSpec> missing, long deadline, String bootstrapServers, Duration timeout) {
        if (missing.isEmpty()) return;
        List<NewTopic> newTopics = missing.stream().map(TopicAdmin::newTopic).toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
        for (TopicSpec spec : missing) {
            try {
                await(results.get(spec.name()), deadline, bootstrapServers, timeout);
                LOG.info("created topic {} ({} partitions, replication {}, {})", spec.name(), spec.partitions(),
                        spec.replicationFactor(), spec.configs());
            } catch (KafkaSetupException e) {
                // Another instance created it between our listing and our request: that is the outcome we want.
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
    }

    private static NewTopic newTopic(TopicSpec spec) {
        Optional<Short> replication = spec.replicationFactor() == TopicSpec.CLUSTER_DEFAULT_REPLICATION
                ? Optional.empty() : Optional.of((short) spec.replicationFactor());
        return new NewTopic(spec.name(), Optional.of(spec.partitions()), replication).configs(spec.configs());
    }

    private static void warnAboutDifferences(Admin admin, List<TopicSpec> present, long deadline, String bootstrapServers,
                                             Duration timeout) {
        if (present.isEmpty()) return;
        Map<String, TopicDescription> descriptions = await(
                admin.describeTopics(present.stream().map(TopicSpec::name).toList()).allTopicNames(), deadline, bootstrapServers, timeout);
        for (TopicSpec spec : present) {
            int actual = descriptions.get(spec.name()).partitions().size();
            if (actual < spec.partitions()) {
                LOG.warn("topic {} exists with {} partitions, fewer than the {} asked for; leaving it as it is "
                        + "(add partitions with kafka-topics --alter if that is what you want)", spec.name(), actual, spec.partitions());
            }
        }
        List<ConfigResource> withConfigs = present.stream().filter(s -> !s.configs().isEmpty())
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        if (withConfigs.isEmpty()) return;
        Map<ConfigResource, Config> configs = await(admin.describeConfigs(withConfigs).all(), deadline, bootstrapServers, timeout);
        for (TopicSpec spec : present) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            if (config == null) continue;
            Map<String, String> actual = new HashMap<>();
            for (ConfigEntry entry : config.entries()) actual.put(entry.name(), entry.value());
            Map<String, String> differing = spec.configs().entrySet().stream()
                    .filter(e -> !e.getValue().equals(actual.get(e.getKey())))
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(actual.get(e.getKey()))));
            if (!differing.isEmpty()) {
                LOG.warn("topic {} exists with {} where {} was asked for; leaving it as it is", spec.name(), differing, spec.configs());
            }
        }
    }

    /** Topic creation is committed by the controller first; brokers learn of it a moment later. */
    private static void awaitLeaders(Admin admin, List<TopicSpec> created, long deadline, String bootstrapServers, Duration timeout) {
        if (created.isEmpty()) return;
        List<String> names = created.stream().map(TopicSpec::name).toList();
        while (true) {
            try {
                Map<String, TopicDescription> d = await(admin.describeTopics(names).allTopicNames(), deadline, bootstrapServers, timeout);
                boolean ready = d.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null));
                if (ready) return;
            } catch (KafkaSetupException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
            }
            if (System.nanoTime() > deadline) {
                throw new KafkaSetupException("topics " + names + " were created on Kafka at " + bootstrapServers
                        + " but had no leader after " + timeout.toMillis() + " ms");
            }
            sleep(POLL_MS);
        }
    }

    private static <T> T await(KafkaFuture<T> future, long deadline, String bootstrapServers, Duration timeout) {
        long remaining = Math.max(0, deadline - System.nanoTime());
        try {
            return future.get(remaining, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(bootstrapServers, timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) throw unreachable(bootstrapServers, timeout, cause);
            throw new KafkaSetupException("Kafka at " + bootstrapServers + " refused a topic request: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("interrupted while talking to Kafka at " + bootstrapServers, e);
        }
    }

    private static KafkaSetupException unreachable(String bootstrapServers, Duration timeout, Throwable cause) {
        return new KafkaSetupException("Kafka at " + bootstrapServers + " did not answer within " + timeout.toMillis()
                + " ms: is a broker running there, and reachable from this machine?", cause);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("interrupted while waiting for topics", e);
        }
    }
}
