package dev.streambard.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A folder of files that appears complete or not at all: files are written into a hidden temporary
 * sibling, synced, listed with their SHA-256 in {@value #MANIFEST}, and the folder is renamed into place.
 * A crash leaves at most a hidden temporary folder, which never loads.
 */
public final class AtomicFolder {
    public static final String MANIFEST = "manifest.json";
    static final String FORMAT = "streambard-checkpoint/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes one file's bytes. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    record Manifest(String format, Map<String, String> sha256) {
    }

    private AtomicFolder() {
    }

    /** Creates {@code target} with the given files; fails if it exists, so nothing is ever overwritten. */
    public static void write(Path target, Map<String, Content> files) {
        Path parent = target.toAbsolutePath().getParent();
        if (Files.exists(target)) throw new CheckpointException(target + " already exists; refusing to overwrite it");
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            Map<String, String> hashes = new LinkedHashMap<>();
            for (Map.Entry<String, Content> e : files.entrySet()) {
                hashes.put(e.getKey(), writeSynced(tmp.resolve(e.getKey()), e.getValue()));
            }
            writeSynced(tmp.resolve(MANIFEST), out -> JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(out, new Manifest(FORMAT, hashes)));
            syncDirectory(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new CheckpointException("the file system of " + parent + " cannot rename folders atomically", e);
            }
            if (e instanceof CheckpointException ce) throw ce;
            throw new CheckpointException("could not write " + target + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    /** Checks that {@code dir} is a complete folder whose files match its manifest. */
    public static void verify(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) throw new CheckpointException("no checkpoint folder at " + dir);
        if (!Files.isRegularFile(manifestFile)) {
            throw new CheckpointException(dir + " has no " + MANIFEST + ": not a streambard checkpoint, or an incomplete one");
        }
        Manifest manifest;
        try {
            manifest = JSON.readValue(manifestFile.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new CheckpointException(manifestFile + " is unreadable: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(manifest.format()) || manifest.sha256() == null) {
            throw new CheckpointException(manifestFile + " has format " + manifest.format() + ", expected " + FORMAT);
        }
        for (Map.Entry<String, String> e : manifest.sha256().entrySet()) {
            Path file = dir.resolve(e.getKey());
            if (!Files.isRegularFile(file)) throw new CheckpointException("checkpoint " + dir + " is missing " + e.getKey());
            String actual = sha256(file);
            if (!actual.equals(e.getValue())) {
                throw new CheckpointException("checkpoint file " + file + " is corrupt: SHA-256 " + actual
                        + " does not match the manifest's " + e.getValue() + ". Use another checkpoint (or retrain).");
            }
        }
    }

    /** The manifest's hash of the whole folder: SHA-256 over the manifest file itself. */
    public static String folderSha256(Path dir) {
        return sha256(dir.resolve(MANIFEST));
    }

    public static String sha256(Path file) {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        } catch (IOException e) {
            throw new CheckpointException("could not read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String writeSynced(Path file, Content content) throws IOException {
        MessageDigest digest = newDigest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = new DigestOutputStream(
                     new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16), digest)) {
            content.writeTo(unclosable(out));
            out.flush();
            ch.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Writers such as Jackson's close the stream they are given; the file must stay open to be synced. */
    private static OutputStream unclosable(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes a small file by replacing it atomically (write a sibling, then rename over). */
    public static void replaceFile(Path file, String text) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            writeSynced(tmp, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    public static void deleteQuietly(Path path) {
        if (!Files.exists(path)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: a leftover hidden temporary folder is harmless.
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
