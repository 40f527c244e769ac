package dev.streambard.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where fine-tuned checkpoints live: one folder per model, one checkpoint folder per version
 * ({@code <root>/<model>/v000003}). Services find a checkpoint by the file URI in its event, so the
 * store must be a folder every service instance can read.
 */
public final class CheckpointStore {
    private static final Pattern VERSION_FOLDER = Pattern.compile("v(\\d{6,})");
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private final Path root;
    private final String modelName;

    public CheckpointStore(Path root, String modelName) {
        if (!MODEL_NAME.matcher(modelName).matches() || modelName.startsWith(".")) {
            throw new IllegalArgumentException("model name '" + modelName + "' is not usable as a folder name: use 1 to 100 of A-Z a-z 0-9 . _ - "
                    + "(not starting with a dot)");
        }
        this.root = root.toAbsolutePath().normalize();
        this.modelName = modelName;
    }

    public String modelName() {
        return modelName;
    }

    /** The model's folder: its versions and the trainer's lock file. */
    public Path modelFolder() {
        return root.resolve(modelName);
    }

    public Path folder(long version) {
        return modelFolder().resolve(String.format("v%06d", version));
    }

    /** Writes a checkpoint under its lineage's version, atomically; a folder already there is never replaced. */
    public Path write(Checkpoint cp) {
        if (cp.lineage() == null || !cp.lineage().modelName().equals(modelName)) {
            throw new IllegalArgumentException("a store checkpoint needs a lineage of model " + modelName);
        }
        Path dir = folder(cp.lineage().version());
        if (Files.exists(dir)) throw new CheckpointException(dir + " already exists: versions are never overwritten");
        CheckpointFiles.write(dir, cp);
        return dir;
    }

    /** The highest version with a folder, complete or not (0 when none): new versions go above it. */
    public long highestVersion() {
        Path dir = modelFolder();
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> VERSION_FOLDER.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .max().orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    public static URI uri(Path checkpointFolder) {
        return checkpointFolder.toAbsolutePath().normalize().toUri();
    }

    /** The folder a checkpoint event's URI names; only local (file:) URIs are supported. */
    public static Path folderOf(String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint URI '" + uri + "' is not a URI: " + e.getMessage());
        }
        if (!"file".equals(u.getScheme())) {
            throw new CheckpointException("checkpoint URI '" + uri + "' is not a file: URI; the store must be a folder this machine can read");
        }
        return Path.of(u);
    }
}
