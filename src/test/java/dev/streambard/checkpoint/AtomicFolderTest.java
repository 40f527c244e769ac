package dev.streambard.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streambard.TestFolders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFolderTest {

    @TempDir
    Path parent;

    private static Map<String, AtomicFolder.Content> files() {
        Map<String, AtomicFolder.Content> files = new LinkedHashMap<>();
        files.put("config.json", out -> out.write("{\"units\": 16}".getBytes(StandardCharsets.UTF_8)));
        files.put("weights.bin", out -> {
            for (int i = 0; i < 100_000; i++) out.write(i * 31); // larger than the write buffer
        });
        return files;
    }

    private List<String> parentListing() throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writtenFolderHasTheFilesAndAManifestAndVerifies() throws IOException {
        Path target = parent.resolve("epoch-0001");
        AtomicFolder.write(target, files());

        AtomicFolder.verify(target);
        assertEquals(Set.of("config.json", "weights.bin", AtomicFolder.MANIFEST),
                Set.copyOf(TestFolders.snapshot(target).keySet().stream().filter(k -> !k.isEmpty()).toList()));
        assertEquals("{\"units\": 16}", Files.readString(target.resolve("config.json")));
        assertEquals(100_000, Files.size(target.resolve("weights.bin")));
        String manifest = Files.readString(target.resolve(AtomicFolder.MANIFEST));
        assertTrue(manifest.contains(AtomicFolder.sha256(target.resolve("weights.bin"))), manifest);
        assertEquals(List.of("epoch-0001"), parentListing(), "no temporary folder left behind");
    }

    @Test
    void aFlippedByteIsReportedAsCorruptNamingTheFile() {
        Path target = parent.resolve("cp");
        AtomicFolder.write(target, files());
        String before = AtomicFolder.folderSha256(target);

        TestFolders.flipByte(target.resolve("weights.bin"), 50_000);

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(target));
        assertTrue(e.getMessage().contains("weights.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        assertEquals(before, AtomicFolder.folderSha256(target), "the manifest itself is untouched");
    }

    @Test
    void aCorruptSmallFileIsNamedToo() {
        Path target = parent.resolve("cp");
        AtomicFolder.write(target, files());
        TestFolders.flipByte(target.resolve("config.json"), 0);

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(target));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path target = parent.resolve("cp");
        AtomicFolder.write(target, files());
        Files.delete(target.resolve("config.json"));

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(target));
        assertTrue(e.getMessage().contains("missing config.json"), e.getMessage());
    }

    @Test
    void aFolderWithoutManifestIsRefused() throws IOException {
        Path dir = Files.createDirectory(parent.resolve("not-a-checkpoint"));
        Files.writeString(dir.resolve("weights.bin"), "x");

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(dir));
        assertTrue(e.getMessage().contains(AtomicFolder.MANIFEST), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void aMissingFolderIsRefused() {
        Path dir = parent.resolve("nowhere");
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void aManifestOfAnotherFormatIsRefused() throws IOException {
        Path target = parent.resolve("cp");
        AtomicFolder.write(target, files());
        Path manifest = target.resolve(AtomicFolder.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace(AtomicFolder.FORMAT, "streambard-checkpoint/99"));

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.verify(target));
        assertTrue(e.getMessage().contains("streambard-checkpoint/99"), e.getMessage());
    }

    @Test
    void writingOntoAnExistingFolderRefusesAndLeavesItByteIdentical() throws IOException {
        Path target = parent.resolve("cp");
        AtomicFolder.write(target, files());
        Map<String, String> before = TestFolders.snapshot(target);

        Map<String, AtomicFolder.Content> other = Map.of("weights.bin", out -> out.write(new byte[]{1, 2, 3}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.write(target, other));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());

        assertEquals(before, TestFolders.snapshot(target));
        assertEquals(List.of("cp"), parentListing());
        AtomicFolder.verify(target);
    }

    @Test
    void writingOntoAnExistingEmptyFolderRefusesToo() throws IOException {
        Path target = Files.createDirectory(parent.resolve("cp"));
        assertThrows(CheckpointException.class, () -> AtomicFolder.write(target, files()));
        assertEquals(Map.of("", "dir"), TestFolders.snapshot(target));
    }

    @Test
    void aCrashWhileWritingLeavesNeitherTheFolderNorATemporaryOne() throws IOException {
        Path target = parent.resolve("cp");
        Map<String, AtomicFolder.Content> files = files();
        files.put("optimizer.bin", out -> {
            out.write(new byte[70_000]);
            throw new IOException("disk full (simulated)");
        });

        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFolder.write(target, files));
        assertTrue(e.getMessage().contains("disk full (simulated)"), e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), parentListing());

        // The same target can be written afterwards.
        AtomicFolder.write(target, files());
        AtomicFolder.verify(target);
    }

    @Test
    void anUncheckedFailureWhileWritingAlsoCleansUp() throws IOException {
        Path target = parent.resolve("cp");
        Map<String, AtomicFolder.Content> files = new LinkedHashMap<>(files());
        files.put("progress.json", out -> {
            throw new IllegalStateException("serialiser bug (simulated)");
        });

        assertThrows(CheckpointException.class, () -> AtomicFolder.write(target, files));
        assertEquals(List.of(), parentListing());
    }

    @Test
    void replaceFileSwapsTheContentAndLeavesNoTemporaryFile() throws IOException {
        Path file = parent.resolve("LAST");
        AtomicFolder.replaceFile(file, "epoch-0001\n");
        AtomicFolder.replaceFile(file, "epoch-0002\n");
        assertEquals("epoch-0002\n", Files.readString(file));
        assertEquals(List.of("LAST"), parentListing());
    }

    @Test
    void folderHashChangesWithTheContent() {
        Path a = parent.resolve("a");
        Path b = parent.resolve("b");
        AtomicFolder.write(a, files());
        AtomicFolder.write(b, Map.of("weights.bin", out -> out.write(7)));
        assertNotEquals(AtomicFolder.folderSha256(a), AtomicFolder.folderSha256(b));
    }
}
