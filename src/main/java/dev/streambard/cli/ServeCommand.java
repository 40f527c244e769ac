package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.stream.CheckpointFollower;
import dev.streambard.stream.ModelLoader;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the generation service: requests topic in, chunks topic out. With no --bootstrap-servers, "
                + "an embedded single-node Kafka broker is started in this process.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "A train --out folder or a checkpoint folder. Default: the latest "
            + "version of model.name promoted on topic.checkpoints (the service waits for one).")
    Path model;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "An existing Kafka cluster. Default: an embedded broker.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings as a properties file (see README: Configuration).")
    Path config;

    @Option(names = "--broker-port", defaultValue = "9092", description = "Port of the embedded broker, on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int brokerPort;

    @Option(names = "--data-dir", description = "Where the embedded broker and the session store keep their files. Default: ~/.local/share/streambard.")
    Path dataDir;

    private final List<AutoCloseable> running = new ArrayList<>(); // closed in reverse order on shutdown

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".local", "share", "streambard");
        ServiceConfig settings = new ServiceConfig(ConfigFile.load(config, Map.of(ServiceConfig.STATE_DIR, data.resolve("state").toString())));
        AtomicReference<ServingModel> serving = new AtomicReference<>();
        if (model != null) {
            Path folder = RunDirectory.resolveModel(model);
            Lineage lineage = CheckpointFiles.read(folder, false).lineage();
            serving.set(ModelLoader.load(folder, lineage != null ? lineage.version() : 1));
        }
        // The engine's products on its own workers, OpenBLAS on one thread: with Kafka's threads on the same
        // cores, OpenBLAS's static two-thread split waits for whichever half lost its core (see InferenceEngine).
        dev.streambard.engine.InferenceEngine.splitProducts(true);
        PrintStream out = Output.get();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll();
            stopped.countDown();
        }, "streambard-shutdown"));
        String bootstrap = bootstrapServers;
        if (bootstrap == null) {
            EmbeddedKafka broker = EmbeddedKafka.start(data.resolve("kafka"), brokerPort);
            running.add(broker);
            bootstrap = broker.bootstrapServers();
            out.println("broker: " + bootstrap + " (embedded; data in " + data.resolve("kafka") + ")");
            out.flush();
        }
        String modelName = settings.getString(ServiceConfig.MODEL_NAME);
        String checkpoints = settings.getString(ServiceConfig.CHECKPOINTS_TOPIC);
        GenerationService.ensureTopics(settings, bootstrap);
        running.add(new CheckpointFollower(bootstrap, checkpoints, modelName, serving, new Notices(System.err)));
        if (serving.get() == null) {
            out.println("not ready: no model yet. Waiting for version 1 of model '" + modelName + "' on " + checkpoints
                    + " (start `bin/streambard trainer --init DIR|--fresh ...` against " + bootstrap + "), or restart with --model DIR.");
            out.flush();
            while (serving.get() == null) {
                if (stopped.await(1, TimeUnit.SECONDS)) return 0;
            }
        }
        running.add(GenerationService.start(settings, bootstrap, serving, Duration.ofMinutes(2)));
        ServingModel now = serving.get();
        out.println("serving model " + modelName + " version " + now.version() + (model != null ? " (" + RunDirectory.resolveModel(model) + ")" : "")
                + ": requests on " + settings.topics().requests() + ", chunks on " + settings.topics().chunks() + " ("
                + settings.getString(ServiceConfig.OUTPUT_FORMAT) + "), new versions from " + checkpoints + ", bootstrap " + bootstrap);
        out.flush();
        stopped.await();
        return 0;
    }

    private synchronized void closeAll() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
        running.clear();
    }

    /** Tells the operator about model swaps and refused checkpoints, on standard error. */
    private record Notices(PrintStream err) implements CheckpointFollower.Listener {
        @Override
        public void swapped(ServingModel previous, ServingModel now, Duration loading) {
            err.printf(Locale.ROOT, "model: now serving %s%s (loaded and verified in %.1f s)%n", describe(now),
                    previous == null ? "" : " instead of " + describe(previous), loading.toMillis() / 1000.0);
        }

        private static String describe(ServingModel m) {
            return "version " + m.version() + (m.checkpointSha256() == null ? "" : " (checkpoint " + m.checkpointSha256().substring(0, 12) + ")");
        }

        @Override
        public void refused(CheckpointEvent event, String reason) {
            err.println("model: refused " + (event == null ? "a record" : "version " + event.getVersion()) + ", the current model keeps serving: " + reason);
        }
    }
}
