package dev.streambard.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A training run's output folder: one checkpoint folder per kept epoch ({@code epoch-0003}) and two
 * pointer files, {@value #LAST} and {@value #BEST}, each naming a folder and replaced atomically.
 * Only the folders the pointers name are kept.
 */
public final class RunDirectory {
    public static final String LAST = "LAST";
    public static final String BEST = "BEST";
    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public boolean hasCheckpoint() {
        return Files.isRegularFile(root.resolve(LAST));
    }

    public Path last() {
        return pointer(LAST);
    }

    public Path best() {
        return pointer(BEST);
    }

    /**
     * Saves a completed epoch; the pointers move only once its folder is complete. LAST moves first and
     * BEST follows the checkpoint's own record of its best epoch, so a crash between the two moves is
     * healed by the next save.
     */
    public Path save(Checkpoint cp) {
        Path dir = root.resolve(folderName(cp.progress().epoch()));
        if (Files.exists(dir) && !referenced().contains(dir.getFileName().toString())) {
            AtomicFolder.deleteQuietly(dir); // left by a run that died before moving its pointers
        }
        CheckpointFiles.write(dir, cp);
        AtomicFolder.replaceFile(root.resolve(LAST), dir.getFileName() + "\n");
        String best = folderName(cp.progress().bestEpoch());
        if (cp.progress().bestEpoch() > 0 && Files.isDirectory(root.resolve(best))) {
            AtomicFolder.replaceFile(root.resolve(BEST), best + "\n");
        }
        prune();
        return dir;
    }

    /**
     * The checkpoint a {@code --model} argument names: a checkpoint folder itself, or a run folder (its best).
     */
    public static Path resolveModel(Path arg) {
        if (Files.isRegularFile(arg.resolve(AtomicFolder.MANIFEST))) return arg;
        if (Files.isRegularFile(arg.resolve(BEST))) return new RunDirectory(arg).best();
        if (!Files.exists(arg)) throw new CheckpointException("no model at " + arg + ": the folder does not exist");
        throw new CheckpointException(arg + " holds no checkpoint (no " + AtomicFolder.MANIFEST + " or " + BEST
                + " file). Pass the --out folder of a finished `train` run, or one of its epoch-NNNN folders.");
    }

    public boolean hasBest() {
        return Files.isRegularFile(root.resolve(BEST));
    }

    private static String folderName(int epoch) {
        return String.format("epoch-%04d", epoch);
    }

    private Path pointer(String name) {
        Path file = root.resolve(name);
        try {
            String target = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (target.isEmpty() || target.contains("/") || target.contains("..")) {
                throw new CheckpointException(file + " is damaged: it should name a checkpoint folder");
            }
            return root.resolve(target);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Set<String> referenced() {
        Set<String> names = new java.util.HashSet<>();
        for (String p : new String[]{LAST, BEST}) {
            if (Files.isRegularFile(root.resolve(p))) names.add(pointer(p).getFileName().toString());
        }
        return names;
    }

    private void prune() {
        Set<String> keep = referenced();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(p -> p.getFileName().toString().matches("epoch-\\d+"))
                    .filter(p -> !keep.contains(p.getFileName().toString()))
                    .forEach(AtomicFolder::deleteQuietly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
