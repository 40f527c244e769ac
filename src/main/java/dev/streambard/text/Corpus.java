package dev.streambard.text;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the training text from a local file or a URL (downloaded once into a cache folder).
 * With no argument it loads Tiny Shakespeare, the corpus of the TensorFlow text-generation
 * tutorial, and checks it against the known SHA-256.
 */
public final class Corpus {

    public static final String DEFAULT_URL =
            "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt";
    public static final String DEFAULT_SHA256 =
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";
    public static final long DEFAULT_SIZE_BYTES = 1_115_394;

    /** Environment variable that overrides {@link #defaultCacheDir()}. */
    public static final String CACHE_ENV = "STREAMBARD_CACHE";

    private static final char BOM = '\uFEFF';

    private Corpus() {
    }

    /**
     * @param pathOrUrl a file path, an http(s) URL, or null/blank for the default corpus
     * @param cacheDir  where downloads are kept; created when needed
     * @return the whole text, never empty
     */
    public static String load(String pathOrUrl, Path cacheDir) {
        if (pathOrUrl == null || pathOrUrl.isBlank()) {
            return load(URI.create(DEFAULT_URL), cacheDir, DEFAULT_SHA256);
        }
        String arg = pathOrUrl.strip();
        if (arg.startsWith("http://") || arg.startsWith("https://")) {
            // The default corpus is verified however it was named.
            return load(toUri(arg), cacheDir, arg.equals(DEFAULT_URL) ? DEFAULT_SHA256 : null);
        }
        return readFile(Path.of(arg));
    }

    /** Loads a URL through the cache; a non-null expected hash is checked on download and on every cache read. */
    static String load(URI url, Path cacheDir, String expectedSha256OrNull) {
        Path file = new Download(cacheDir).fetch(url, expectedSha256OrNull);
        return decode(read(file), url.toString());
    }

    /** $STREAMBARD_CACHE if set, else ~/.cache/streambard. */
    public static Path defaultCacheDir() {
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "streambard");
    }

    /** Reads a local text file as strict UTF-8. */
    public static String readFile(Path file) {
        if (!Files.exists(file)) {
            throw new CorpusException("Corpus file not found: " + file.toAbsolutePath()
                    + ". Check the path passed with --corpus.");
        }
        if (Files.isDirectory(file)) {
            throw new CorpusException("Corpus path " + file.toAbsolutePath()
                    + " is a directory. Pass a text file with --corpus PATH.");
        }
        return decode(read(file), file.toString());
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CorpusException("Cannot read corpus file " + file.toAbsolutePath() + ": " + e
                    + ". Check that it exists and is readable.", e);
        }
    }

    /**
     * Decodes strict UTF-8 (a bad byte is an error, never a silent U+FFFD) and strips a leading BOM.
     *
     * @param source file or URL, named in error messages
     */
    static String decode(byte[] bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never yields more chars than bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // On error the buffer stops at the first byte of the bad sequence.
            throw new CorpusException(source + " is not valid UTF-8: bad byte at offset " + in.position()
                    + ". Re-save the file as UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8`) and try again.");
        }
        String text = out.flip().toString();
        if (!text.isEmpty() && text.charAt(0) == BOM) {
            text = text.substring(1);
        }
        if (text.isEmpty()) {
            throw new CorpusException(source + " is empty. Pass a corpus with some text in it.");
        }
        return text;
    }

    private static URI toUri(String url) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new CorpusException("Not a valid URL: " + url + " (" + e.getMessage()
                    + "). Fix the URL or pass a local file with --corpus PATH.", e);
        }
    }
}
