package dev.streambard.ingest;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointException;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.checkpoint.AtomicFolder;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.kafka.TopicAdmin;
import dev.streambard.kafka.TopicSpec;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides where a trainer starts: the latest promoted version of its model, if the checkpoints topic
 * names one; otherwise a model given at start-up, which becomes version 1 (a trained checkpoint is
 * promoted as it is, a fresh model after its first round).
 */
public final class TrainerSetup {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** What to start from when the model has no promoted version yet. */
    public sealed interface Init {
        /** A freshly initialised model; its vocabulary is the base corpus's. */
        record Fresh(ModelConfig model, TrainingConfig training) implements Init {
        }

        /** A checkpoint folder (e.g. from {@code train}), promoted as version 1. */
        record FromCheckpoint(Path folder) implements Init {
        }
    }

    /** The trainer's start and the base corpus in the model's vocabulary. */
    public record Prepared(TrainingConsumer.Start start, int[] baseEncoded) {
    }

    private TrainerSetup() {
    }

    /** Creates missing topics: corpus, the compacted checkpoints topic, candidates. */
    public static void ensureTopics(TrainerConfig config, String bootstrapServers) {
        short replication = config.getShort(TrainerConfig.REPLICATION);
        TopicAdmin.ensureTopics(bootstrapServers, List.of(
                new TopicSpec(config.getString(TrainerConfig.CORPUS_TOPIC), config.getInt(TrainerConfig.PARTITIONS), replication),
                TopicSpec.compacted(config.getString(TrainerConfig.CHECKPOINTS_TOPIC), 1, replication),
                new TopicSpec(config.getString(TrainerConfig.CANDIDATES_TOPIC), 1, replication)));
    }

    /**
     * @param init      used only when the model has no promoted version; may be null otherwise
     * @param baseText  the base corpus: replayed while fine-tuning and used to judge candidates
     */
    public static Prepared prepare(TrainerConfig config, String bootstrapServers, CheckpointStore store, Init init,
                                   String baseText, PrintStream log) {
        Optional<CheckpointEvent> latest = CheckpointEvents.latest(bootstrapServers, config.getString(TrainerConfig.CHECKPOINTS_TOPIC),
                store.modelName(), TIMEOUT, (where, why) -> log.println("trainer: skipped checkpoint event " + where + ": " + why));
        if (latest.isPresent()) {
            CheckpointEvent e = latest.get();
            if (init != null) log.println("trainer: model " + store.modelName() + " already has version " + e.getVersion() + "; the start-up model is not used");
            Path folder = CheckpointStore.folderOf(e.getUri().toString());
            Checkpoint cp = CheckpointFiles.read(folder, true);
            if (!AtomicFolder.folderSha256(folder).equals(e.getSha256().toString())) {
                throw new CheckpointException("checkpoint " + folder + " is not the one version " + e.getVersion()
                        + " announced (its SHA-256 differs); restore the folder or promote another version");
            }
            if (cp.lineage() == null || cp.lineage().version() != e.getVersion()) {
                throw new CheckpointException("checkpoint " + folder + " does not record itself as version " + e.getVersion() + " of " + store.modelName());
            }
            CharModel model = CharModel.from(cp);
            return new Prepared(new TrainingConsumer.Start(model, cp.lineage(), e.getValidationLoss()), encodeBase(baseText, model.vocabulary()));
        }
        if (init == null) {
            throw new TrainerException("model " + store.modelName() + " has no promoted version on "
                    + config.getString(TrainerConfig.CHECKPOINTS_TOPIC) + " yet: start the trainer with --init DIR (a trained "
                    + "checkpoint, promoted as version 1) or --fresh (a new model, promoted after its first round)");
        }
        if (init instanceof Init.Fresh fresh) {
            CharModel model = CharModel.create(fresh.model(), fresh.training(), Vocabulary.fromText(baseText));
            return new Prepared(new TrainingConsumer.Start(model, null, null), encodeBase(baseText, model.vocabulary()));
        }
        Path folder = ((Init.FromCheckpoint) init).folder();
        Checkpoint original = CheckpointFiles.read(folder, true);
        CharModel model = CharModel.from(original);
        int[] base = encodeBase(baseText, model.vocabulary());
        double baseLoss = new FineTuning(config.fineTuning(), model.training(), base).baseLoss(model);
        long version = store.highestVersion() + 1;
        Lineage lineage = new Lineage(store.modelName(), version, null, Map.of(), 0, System.currentTimeMillis(), null, baseLoss, null);
        Checkpoint cp = model.toCheckpoint(original.progress()).withLineage(lineage);
        Path written = store.write(cp);
        try (CheckpointEvents events = new CheckpointEvents(bootstrapServers, config.getString(TrainerConfig.CHECKPOINTS_TOPIC),
                config.getString(TrainerConfig.CANDIDATES_TOPIC))) {
            events.promoted(CheckpointEvents.promotion(cp, written, "imported from " + folder, null, null));
        }
        log.println("trainer: promoted " + folder + " as version " + version + " of " + store.modelName() + " (" + written + ")");
        return new Prepared(new TrainingConsumer.Start(model, lineage, baseLoss), base);
    }

    private static int[] encodeBase(String baseText, Vocabulary vocabulary) {
        try {
            return vocabulary.encode(baseText);
        } catch (dev.streambard.text.UnknownCharactersException e) {
            throw new TrainerException("the base corpus does not fit the model's vocabulary (is it the corpus the model "
                    + "was trained on?): " + e.getMessage(), e);
        }
    }
}
