package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.ingest.TrainerConfig;
import dev.streambard.ingest.TrainerLock;
import dev.streambard.ingest.TrainerSetup;
import dev.streambard.ingest.TrainingConsumer;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Corpus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Fine-tune a model continuously on text from the corpus topic: each round trains on the new text mixed "
                + "with replay from the base corpus, and a candidate that passes the gate is written to the checkpoint store "
                + "and announced on the checkpoints topic, where running services pick it up.")
final class TrainerCommand implements Callable<Integer> {
    @Option(names = "--base-corpus", required = true, paramLabel = "PATH|URL",
            description = "The corpus the model was trained on: replayed so it does not forget, and held out to judge candidates.")
    String baseCorpus;

    @Option(names = "--cache-dir", description = "Where downloaded corpora are kept. Default: $STREAMBARD_CACHE or ~/.cache/streambard.")
    Path cacheDir;

    @ArgGroup(exclusive = true)
    Init init;

    static final class Init {
        @Option(names = "--init", paramLabel = "DIR", description = "When the model has no promoted version: promote this trained "
                + "checkpoint (a train --out folder or checkpoint folder) as version 1.")
        Path checkpoint;

        @Option(names = "--fresh", description = "When the model has no promoted version: start from a new model (shaped by --preset "
                + "and the other model options) and promote it after its first round.")
        boolean fresh;
    }

    @Mixin
    ModelOptions model;

    @Option(names = "--seq-len", defaultValue = "100", description = "Window length of a --fresh model. Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size of a --fresh model. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "Initial weights of a --fresh model. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--rounds", defaultValue = "0", description = "Stop after this many rounds; 0 runs until stopped. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        if (rounds < 0) throw new UserException("--rounds must be 0 or more, got " + rounds);
        TrainerConfig settings = new TrainerConfig(cluster.settings(Map.of()));
        CheckpointStore store = new CheckpointStore(Path.of(settings.getString(TrainerConfig.STORE)), settings.getString(TrainerConfig.MODEL_NAME));
        PrintStream log = System.err;
        try (TrainerLock lock = TrainerLock.acquire(store.modelFolder(), store.modelName())) {
            String base = Corpus.load(baseCorpus, cacheDir == null ? Corpus.defaultCacheDir() : cacheDir);
            TrainerSetup.ensureTopics(settings, cluster.bootstrapServers);
            TrainerSetup.Prepared prepared = TrainerSetup.prepare(settings, cluster.bootstrapServers, store, startFrom(), base, log);
            try (TrainingConsumer trainer = new TrainingConsumer(settings, cluster.bootstrapServers, store, prepared.start(), prepared.baseEncoded(), log)) {
                CountDownLatch finished = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    trainer.wakeup(); // a round in progress is lost, never half-promoted
                    try {
                        finished.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "streambard-trainer-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    trainer.run(rounds);
                } finally {
                    finished.countDown();
                }
                if (!Thread.currentThread().isInterrupted()) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // already shutting down
                    }
                }
                var l = trainer.lineage();
                Output.get().println(l == null ? "stopped before any version was promoted"
                        : "stopped at version " + l.version() + " of " + store.modelName() + " (" + store.folder(l.version()) + ")");
            }
        }
        return 0;
    }

    private TrainerSetup.Init startFrom() {
        if (init == null) return null;
        if (init.checkpoint != null) {
            return new TrainerSetup.Init.FromCheckpoint(dev.streambard.checkpoint.RunDirectory.resolveModel(init.checkpoint));
        }
        TrainingConfig training = new TrainingConfig(seqLen, batch, model.learningRate(), 1, 1, TrainingConfig.DEFAULT_VALIDATION, seed);
        return new TrainerSetup.Init.Fresh(model.toConfig(2), training); // the vocabulary size comes from the base corpus
    }
}
