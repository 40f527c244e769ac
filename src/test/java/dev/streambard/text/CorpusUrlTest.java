package dev.streambard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL loading against a real HTTP server on loopback; never the internet. */
class CorpusUrlTest {

    private static final String TEXT = "First Citizen:\nBefore we proceed any further, hear me speak. 😀\n";

    @TempDir
    Path cache;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/data/small.txt", exchange -> {
            requests.incrementAndGet();
            byte[] body = TEXT.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/data/small.txt");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.toList();
        }
    }

    @Test
    void downloadsOnceAndThenReadsTheCacheOffline() throws IOException {
        String url = url("/data/small.txt");
        assertEquals(TEXT, Corpus.load(url, cache));
        List<Path> files = cacheFiles();
        assertEquals(1, files.size(), "no temp files left: " + files);
        assertTrue(files.get(0).getFileName().toString().endsWith("-small.txt"), files.toString());

        server.stop(0);
        assertEquals(TEXT, Corpus.load(url, cache));
        assertEquals(1, requests.get());
    }

    @Test
    void followsRedirects() {
        assertEquals(TEXT, Corpus.load(url("/moved"), cache));
    }

    @Test
    void notFoundSuggestsALocalFile() throws IOException {
        String url = url("/missing.txt");
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.load(url, cache));
        assertTrue(e.getMessage().contains(url), e.getMessage());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertTrue(e.getMessage().contains("--corpus"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void refusedConnectionSuggestsALocalFile() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/shakespeare.txt";
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.load(url, cache));
        assertTrue(e.getMessage().contains("Could not download " + url), e.getMessage());
        assertTrue(e.getMessage().contains("could not connect"), e.getMessage());
        assertTrue(e.getMessage().contains("--corpus"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void matchingHashIsAccepted() {
        String sha = Hashes.sha256(TEXT.getBytes(StandardCharsets.UTF_8));
        assertEquals(TEXT, Corpus.load(URI.create(url("/data/small.txt")), cache, sha));
        assertEquals(TEXT, Corpus.load(URI.create(url("/data/small.txt")), cache, sha));
        assertEquals(1, requests.get());
    }

    @Test
    void wrongHashIsRefusedAndNothingIsCached() throws IOException {
        String wrong = "0".repeat(64);
        String actual = Hashes.sha256(TEXT.getBytes(StandardCharsets.UTF_8));
        URI url = URI.create(url("/data/small.txt"));
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.load(url, cache, wrong));
        assertTrue(e.getMessage().contains(wrong), e.getMessage());
        assertTrue(e.getMessage().contains(actual), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void corruptedCacheIsRefused() throws IOException {
        String sha = Hashes.sha256(TEXT.getBytes(StandardCharsets.UTF_8));
        URI url = URI.create(url("/data/small.txt"));
        Corpus.load(url, cache, sha);
        Path cached = cacheFiles().get(0);
        Files.writeString(cached, "tampered");
        CorpusException e = assertThrows(CorpusException.class, () -> Corpus.load(url, cache, sha));
        assertTrue(e.getMessage().contains(sha), e.getMessage());
        assertTrue(e.getMessage().contains(cached.toString()), e.getMessage());
    }

    @Test
    void cacheNamesDifferPerUrlAndKeepTheLastSegment() {
        String a = Download.cacheName(URI.create("https://a.example/x/shakespeare.txt"));
        String b = Download.cacheName(URI.create("https://b.example/x/shakespeare.txt"));
        assertTrue(a.endsWith("-shakespeare.txt"), a);
        assertTrue(!a.equals(b), a + " vs " + b);
        assertTrue(Download.cacheName(URI.create("https://a.example/")).endsWith("-corpus.txt"));
    }
}
