package dev.streambard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Folder helpers for tests: a content snapshot to prove "unchanged", a recursive copy, a byte flip. */
public final class TestFolders {

    /**
     * A made-up verse of 13 distinct characters, repeated: long enough for a few training batches,
     * small enough for a test model.
     */
    public static final String VERSE = ("the sea sang to the stone\n"
            + "the stone sang to the sea\n"
            + "and the tide ran on and on\n").repeat(8);

    private TestFolders() {
    }

    /**
     * Every entry under {@code root} (hidden ones too) → the SHA-256 of its bytes, or "dir" for folders;
     * empty when {@code root} does not exist.
     */
    public static Map<String, String> snapshot(Path root) {
        Map<String, String> entries = new TreeMap<>();
        if (!Files.exists(root)) return entries;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String key = root.relativize(p).toString();
                entries.put(key, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    public static void copy(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inverts every bit of the byte at {@code offset} (from the end when negative). */
    public static void flipByte(Path file, long offset) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int i = (int) (offset < 0 ? bytes.length + offset : offset);
            bytes[i] = (byte) ~bytes[i];
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
