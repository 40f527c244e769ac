package dev.streambard.cli;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.ingest.CheckpointEvents;
import dev.streambard.ingest.TrainerConfig;
import dev.streambard.ingest.TrainerSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Announce a stored version of the model again on the checkpoints topic: running services swap it in. "
                + "This is how to roll back.")
final class PromoteCommand implements Callable<Integer> {
    @Option(names = "--version", required = true, description = "The version to serve (a folder vNNNNNN in the checkpoint store).")
    long version;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() {
        TrainerConfig settings = new TrainerConfig(cluster.settings(Map.of()));
        CheckpointStore store = new CheckpointStore(Path.of(settings.getString(TrainerConfig.STORE)), settings.getString(TrainerConfig.MODEL_NAME));
        Path folder = store.folder(version);
        if (!Files.isDirectory(folder)) {
            throw new UserException("model " + store.modelName() + " has no version " + version + " in " + store.modelFolder()
                    + " (highest: " + store.highestVersion() + ")");
        }
        Checkpoint cp = CheckpointFiles.read(folder, false); // refuses a damaged folder
        if (cp.lineage() == null || cp.lineage().version() != version || !cp.lineage().modelName().equals(store.modelName())) {
            throw new UserException(folder + " does not record itself as version " + version + " of " + store.modelName());
        }
        TrainerSetup.ensureTopics(settings, cluster.bootstrapServers);
        try (CheckpointEvents events = new CheckpointEvents(cluster.bootstrapServers, settings.getString(TrainerConfig.CHECKPOINTS_TOPIC),
                settings.getString(TrainerConfig.CANDIDATES_TOPIC))) {
            events.promoted(CheckpointEvents.promotion(cp, folder, "promoted by hand (bin/streambard promote)", null, null));
        }
        Output.get().println("announced version " + version + " of " + store.modelName() + " on "
                + settings.getString(TrainerConfig.CHECKPOINTS_TOPIC) + " (" + folder + ")");
        return 0;
    }
}
