package dev.streambard.text;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Downloads a URL once into a cache folder. The body goes to a temp file in the same folder
 * and is moved into place atomically, so a crash or a bad download never leaves a half file
 * that a later run would trust.
 */
final class Download {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // Generous for a few MB on a slow link, but a stalled server does not hang training forever.
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final Path cacheDir;

    Download(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** @return the cached file for the URL, downloading it first if needed */
    Path fetch(URI url, String expectedSha256OrNull) {
        Path target = cacheDir.resolve(cacheName(url));
        if (Files.isRegularFile(target)) {
            if (expectedSha256OrNull != null) {
                String actual = sha256(target);
                if (!actual.equals(expectedSha256OrNull)) {
                    throw new CorpusException("Cached copy " + target + " of " + url + " has SHA-256 " + actual
                            + " but " + expectedSha256OrNull + " was expected. Delete the file to download it again.");
                }
            }
            return target;
        }
        createCacheDir();
        Path temp = null;
        try {
            temp = Files.createTempFile(cacheDir, target.getFileName().toString(), ".part");
            HttpResponse<Path> response = client().send(
                    HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(temp));
            if (response.statusCode() != 200) {
                throw cannotDownload(url, "HTTP status " + response.statusCode(), null);
            }
            if (expectedSha256OrNull != null) {
                String actual = sha256(temp);
                if (!actual.equals(expectedSha256OrNull)) {
                    throw new CorpusException("Downloaded " + url + " has SHA-256 " + actual + " but "
                            + expectedSha256OrNull + " was expected; the download was discarded. "
                            + "Try again later, or pass a local copy with --corpus PATH.");
                }
            }
            moveIntoPlace(temp, target);
            return target;
        } catch (IOException e) {
            throw cannotDownload(url, reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cannotDownload(url, "interrupted", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Hash of the full URL (so different hosts never collide) plus its last path segment (so a person can tell files apart). */
    static String cacheName(URI url) {
        String hash = Hashes.sha256(url.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        String path = url.getPath() == null ? "" : url.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return hash + "-" + (last.isEmpty() ? "corpus.txt" : last);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    private void createCacheDir() {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new CorpusException("Cannot create cache folder " + cacheDir.toAbsolutePath() + ": " + e
                    + ". Set " + Corpus.CACHE_ENV + " to a writable folder.", e);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String sha256(Path file) {
        try {
            return Hashes.sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CorpusException("Cannot read " + file.toAbsolutePath() + ": " + e
                    + ". Delete it to download it again.", e);
        }
    }

    private static CorpusException cannotDownload(URI url, String reason, Throwable cause) {
        return new CorpusException("Could not download " + url + " (" + reason + "). "
                + "Check the network, or pass a local file with --corpus PATH "
                + "(e.g. a copy of the tutorial's shakespeare.txt).", cause);
    }

    /** HttpClient's ConnectException often has no message of its own; its cause says e.g. "Connection refused". */
    private static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e instanceof ConnectException
                ? "could not connect: connection refused, host unreachable or no network"
                : e.getClass().getSimpleName();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover .part file is never read as a cached corpus, so this is harmless.
        }
    }
}
