package dev.streambard.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A topic as the service needs it. {@code configs} are topic-level overrides such as
 * {@code cleanup.policy=compact}; anything not named there takes the cluster's default.
 *
 * @param replicationFactor at least 1, or {@link #CLUSTER_DEFAULT_REPLICATION} for the cluster's
 *                          {@code default.replication.factor}
 */
public record TopicSpec(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    public static final int CLUSTER_DEFAULT_REPLICATION = -1;
    // Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic, not a public API).
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (!LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("illegal topic name '" + name
                    + "': use 1 to 249 of the characters a-z A-Z 0-9 . _ -");
        }
        if (partitions < 1) throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, was " + partitions);
        if (replicationFactor != CLUSTER_DEFAULT_REPLICATION && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            throw new IllegalArgumentException("topic " + name + ": replication factor must be >= 1 (or "
                    + CLUSTER_DEFAULT_REPLICATION + " for the cluster default), was " + replicationFactor);
        }
        configs = Map.copyOf(configs);
    }

    public TopicSpec(String name, int partitions, int replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }

    /** A topic that keeps the latest record per key ({@code cleanup.policy=compact}). */
    public static TopicSpec compacted(String name, int partitions, int replicationFactor) {
        return new TopicSpec(name, partitions, replicationFactor, Map.of("cleanup.policy", "compact"));
    }
}
