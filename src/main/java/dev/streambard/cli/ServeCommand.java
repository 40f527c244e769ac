package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.gateway.Gateway;
import dev.streambard.gateway.GatewaySettings;
import dev.streambard.gateway.ServiceProbe;
import dev.streambard.ingest.EmbeddedTrainer;
import dev.streambard.ingest.TrainerConfig;
import dev.streambard.ingest.TrainerSetup;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.Preset;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Corpus;
import dev.streambard.stream.CheckpointFollower;
import dev.streambard.stream.ModelLoader;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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

    @Option(names = "--corpus", paramLabel = "PATH|URL", description = "With the embedded broker, the trainer in this process learns "
            + "from this text (fed to the corpus topic when it is empty) and replays it. Default: the tutorial's Tiny Shakespeare, "
            + "downloaded once and cached.")
    String corpus;

    @Option(names = "--no-trainer", description = "With the embedded broker, do not run a trainer in this process.")
    boolean noTrainer;

    @Option(names = "--data-dir", description = "Where the embedded broker and the session store keep their files. Default: ~/.local/share/streambard.")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of the HTTP gateway (chat page, HTTP API, /metrics, "
            + "/ready) on http.bind (127.0.0.1). Default: http.port, 8080; 0: any free port (printed).")
    Integer httpPort;

    @Option(names = "--no-http", description = "Run without the HTTP gateway.")
    boolean noHttp;

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
        if (bootstrapServers == null && !noTrainer) startTrainer(data, bootstrap, out);
        String modelName = settings.getString(ServiceConfig.MODEL_NAME);
        String checkpoints = settings.getString(ServiceConfig.CHECKPOINTS_TOPIC);
        GenerationService.ensureTopics(settings, bootstrap);
        CheckpointFollower follower = new CheckpointFollower(bootstrap, checkpoints, modelName, serving, new Notices(System.err));
        running.add(follower);
        boolean training = running.stream().anyMatch(r -> r instanceof EmbeddedTrainer);
        String awaited = "version 1 of model '" + modelName + "' on " + checkpoints + (training
                ? ", which the trainer in this process promotes after its first round"
                : " (start `bin/streambard trainer --init DIR|--fresh ...` against " + bootstrap + "), or restart with --model DIR");
        ServiceProbe probe = new ServiceProbe(serving::get, follower, "waiting for " + awaited);
        running.stream().filter(r -> r instanceof EmbeddedTrainer).map(r -> (EmbeddedTrainer) r).findFirst()
                .ifPresent(t -> probe.trainer(() -> t.metrics().all()));
        if (!noHttp) startGateway(settings, bootstrap, probe, out);
        if (serving.get() == null) {
            out.println("not ready: no model yet. Waiting for " + awaited + ".");
            out.flush();
            while (serving.get() == null) {
                if (stopped.await(1, TimeUnit.SECONDS)) return 0;
            }
        }
        GenerationService service = GenerationService.start(settings, bootstrap, serving, Duration.ofMinutes(2));
        running.add(service);
        probe.started(service);
        ServingModel now = serving.get();
        out.println("serving model " + modelName + " version " + now.version() + (model != null ? " (" + RunDirectory.resolveModel(model) + ")" : "")
                + ": requests on " + settings.topics().requests() + ", chunks on " + settings.topics().chunks() + " ("
                + settings.getString(ServiceConfig.OUTPUT_FORMAT) + "), new versions from " + checkpoints + ", bootstrap " + bootstrap);
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The one-process setup: a trainer beside the service, starting from --model or, with none, from a fresh
     * small model that learns the corpus round by round. The service runs without it if it cannot start.
     */
    private void startTrainer(Path data, String bootstrap, PrintStream out) {
        Map<String, Object> defaults = Map.of(
                TrainerConfig.STORE, data.resolve("checkpoints").toString(),
                TrainerConfig.ROUND_MIN_CHARS, 20_000); // small rounds: a newcomer sees versions arrive every few seconds
        try {
            TrainerConfig trainerConfig = new TrainerConfig(ConfigFile.load(config, defaults));
            String text = Corpus.load(corpus != null ? corpus : Corpus.DEFAULT_URL, Corpus.defaultCacheDir());
            TrainerSetup.Init init = model != null
                    ? new TrainerSetup.Init.FromCheckpoint(RunDirectory.resolveModel(model))
                    : new TrainerSetup.Init.Fresh(new ModelConfig(CellType.LSTM, 2, Preset.SMALL.embedding, Preset.SMALL.units, 1, 0),
                    new TrainingConfig(TrainingConfig.DEFAULT_SEQ_LEN, TrainingConfig.DEFAULT_BATCH, Preset.SMALL.learningRate, 1, 1,
                            TrainingConfig.DEFAULT_VALIDATION, 42));
            running.add(EmbeddedTrainer.start(trainerConfig, bootstrap, init, text, System.err));
            out.println("trainer: running in this process (model " + trainerConfig.getString(TrainerConfig.MODEL_NAME) + ", checkpoints in "
                    + trainerConfig.getString(TrainerConfig.STORE) + ", text from " + trainerConfig.getString(TrainerConfig.CORPUS_TOPIC) + ")");
        } catch (RuntimeException e) {
            out.println("trainer: not started, so no fine-tuning here: " + e.getMessage());
        }
        out.flush();
    }

    private void startGateway(ServiceConfig settings, String bootstrap, ServiceProbe probe, PrintStream out) {
        GatewaySettings gateway = GatewaySettings.from(settings);
        if (httpPort != null) {
            if (httpPort < 0 || httpPort > 65535) throw new UserException("--http-port must be between 0 and 65535, got " + httpPort);
            gateway = gateway.withPort(httpPort);
        }
        try {
            Gateway started = Gateway.start(gateway, bootstrap, probe);
            running.add(started);
            out.println("gateway: " + started.url() + " (chat page; HTTP API, /metrics, /ready: see docs/gateway.md)");
            out.flush();
        } catch (UncheckedIOException e) {
            throw new UserException(e.getMessage());
        }
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
