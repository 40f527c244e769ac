package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.model.CharModel;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the generation service: requests topic in, chunks topic out. With no --bootstrap-servers, "
                + "an embedded single-node Kafka broker is started in this process.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A train --out folder or a checkpoint folder.")
    Path model;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "An existing Kafka cluster. Default: an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings as a properties file (see README: Configuration).")
    Path config;

    @Option(names = "--broker-port", defaultValue = "9092", description = "Port of the embedded broker, on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int brokerPort;

    @Option(names = "--data-dir", description = "Where the embedded broker and the session store keep their files. Default: ~/.local/share/streambard.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".local", "share", "streambard");
        ServiceConfig settings = new ServiceConfig(settings(data));
        CharModel charModel = CharModel.from(CheckpointFiles.read(RunDirectory.resolveModel(model), false));
        ServingModel serving = new ServingModel(new InferenceEngine(charModel.weights()), charModel.vocabulary(), 1);
        PrintStream out = Output.get();
        EmbeddedKafka broker = null;
        String bootstrap = bootstrapServers;
        if (bootstrap == null) {
            broker = EmbeddedKafka.start(data.resolve("kafka"), brokerPort);
            bootstrap = broker.bootstrapServers();
            out.println("broker: " + bootstrap + " (embedded; data in " + data.resolve("kafka") + ")");
        }
        GenerationService service;
        try {
            service = GenerationService.start(settings, bootstrap, serving, Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            if (broker != null) broker.close();
            throw e;
        }
        out.println("serving model " + RunDirectory.resolveModel(model) + " (version 1): requests on "
                + settings.topics().requests() + ", chunks on " + settings.topics().chunks() + " ("
                + settings.getString(ServiceConfig.OUTPUT_FORMAT) + "), bootstrap " + bootstrap);
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedKafka ownBroker = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            if (ownBroker != null) ownBroker.close();
            stopped.countDown();
        }, "streambard-shutdown"));
        stopped.await();
        return 0;
    }

    private Map<String, Object> settings(Path data) throws IOException {
        Map<String, Object> values = new HashMap<>();
        values.put(ServiceConfig.STATE_DIR, data.resolve("state").toString());
        if (config != null) {
            if (!Files.isRegularFile(config)) throw new UserException("--config " + config + " is not a readable file");
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(config)) {
                p.load(in);
            }
            p.forEach((k, v) -> values.put((String) k, v));
        }
        return values;
    }
}
