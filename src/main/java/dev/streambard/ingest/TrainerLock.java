package dev.streambard.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One active trainer per model: an exclusive lock on a file in the model's store folder. The operating
 * system releases it when the process ends, even by {@code kill -9}, so a crashed trainer never blocks
 * its restart.
 */
public final class TrainerLock implements AutoCloseable {
    public static final String FILE = "trainer.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private TrainerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or refuses at once, saying which process holds it. */
    public static TrainerLock acquire(Path modelFolder, String modelName) {
        Path file = modelFolder.resolve(FILE);
        try {
            Files.createDirectories(modelFolder);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new TrainerException("another trainer is already running for model '" + modelName + "'"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + "; only one may train a model. Stop it first, or train "
                        + "another model (model.name). Lock file: " + file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new TrainerLock(channel, lock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process is ending or the folder is gone: the OS drops the lock with the channel
        }
    }
}
