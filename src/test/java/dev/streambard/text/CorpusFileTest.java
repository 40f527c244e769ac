package dev.streambard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFileTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private String load(Path file) {
        return Corpus.load(file.toString(), dir.resolve("cache"));
    }

    @Test
    void readsUtf8IncludingCharactersBeyondTheBmp() throws IOException {
        Path file = write("c.txt", "Fair is foul 😀\nné".getBytes(StandardCharsets.UTF_8));
        assertEquals("Fair is foul 😀\nné", load(file));
    }

    @Test
    void leadingBomIsStripped() throws IOException {
        Path file = write("bom.txt", "\uFEFFhello".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello", load(file));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.txt");
        CorpusException e = assertThrows(CorpusException.class, () -> load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void directoryIsRefused() {
        CorpusException e = assertThrows(CorpusException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path empty = write("empty.txt", new byte[0]);
        CorpusException e = assertThrows(CorpusException.class, () -> load(empty));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
        Path onlyBom = write("bom-only.txt", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        assertThrows(CorpusException.class, () -> load(onlyBom));
    }

    @Test
    void invalidUtf8NamesFileAndOffset() throws IOException {
        Path latin1 = write("latin1.txt", "abc\u00e9def".getBytes(StandardCharsets.ISO_8859_1));
        CorpusException e = assertThrows(CorpusException.class, () -> load(latin1));
        assertTrue(e.getMessage().contains("latin1.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("offset 3"), e.getMessage());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());

        // The bad byte is the offset reported, after valid multi-byte characters.
        byte[] ok = "é😀".getBytes(StandardCharsets.UTF_8); // 2 + 4 bytes
        byte[] bad = new byte[ok.length + 2];
        System.arraycopy(ok, 0, bad, 0, ok.length);
        bad[ok.length] = (byte) 0xC3; // lead byte followed by a non-continuation byte
        bad[ok.length + 1] = 'x';
        CorpusException e2 = assertThrows(CorpusException.class, () -> load(write("cut.txt", bad)));
        assertTrue(e2.getMessage().contains("offset 6"), e2.getMessage());
    }

    @Test
    void cacheDirComesFromEnvironmentOrHome() {
        String env = System.getenv(Corpus.CACHE_ENV);
        Path expected = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "streambard");
        assertEquals(expected, Corpus.defaultCacheDir());
    }
}
