package dev.streambard.stream;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Checks the {@code streams.*} settings when the service's configuration is read. Kafka Streams itself checks them
 * only when it starts, which {@code serve} does once a model has arrived (up to the trainer's first round, minutes
 * later): a typo in a value would stop the service then, not at the command line.
 */
final class StreamsOverrides {
    /** Client prefixes Kafka Streams understands, with the definitions of the clients they configure. */
    private static final Map<String, ConfigDef> CLIENTS = Map.of(
            StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configDef(),
            StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configDef(),
            StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configDef(),
            StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configDef(),
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configDef(),
            StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configDef());
    /** Where an unprefixed key may belong: Kafka Streams passes those to its clients too. */
    private static final List<ConfigDef> UNPREFIXED = List.of(
            StreamsConfig.configDef(), ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef());

    private StreamsOverrides() {
    }

    /**
     * Parses each value as the setting it names would and applies that setting's validator.
     * Names no client knows (and topic settings) are left to Kafka, which warns about unknown ones.
     *
     * @param overrides the settings without the {@code streams.} prefix
     * @throws ConfigException naming the {@code streams.} key and why its value is refused
     */
    static void check(Map<String, Object> overrides) {
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            ConfigDef.ConfigKey key = definition(e.getKey());
            if (key == null) continue;
            try {
                Object value = ConfigDef.parseType(key.name, e.getValue(), key.type);
                if (key.validator != null) key.validator.ensureValid(key.name, value);
            } catch (ConfigException problem) {
                throw new ConfigException(ServiceConfig.STREAMS_PREFIX + e.getKey() + ": " + problem.getMessage());
            }
        }
    }

    private static ConfigDef.ConfigKey definition(String name) {
        for (Map.Entry<String, ConfigDef> client : CLIENTS.entrySet()) {
            if (name.startsWith(client.getKey())) return client.getValue().configKeys().get(name.substring(client.getKey().length()));
        }
        for (ConfigDef def : UNPREFIXED) {
            ConfigDef.ConfigKey key = def.configKeys().get(name);
            if (key != null) return key;
        }
        return null;
    }
}
