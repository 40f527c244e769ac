package dev.streambard.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The Kafka address and settings file shared by the commands that talk to a running cluster (ingest, trainer, promote, chat). */
final class ClusterOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", defaultValue = ConfigFile.LOCAL_BROKER,
            description = "Kafka. Default: ${DEFAULT-VALUE} (where `serve` starts its embedded broker).")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings as a properties file (see README: Configuration).")
    Path config;

    /** The settings file's values over {@code defaults}. */
    Map<String, Object> settings(Map<String, Object> defaults) {
        return ConfigFile.load(config, defaults);
    }
}
