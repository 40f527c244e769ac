package dev.streambard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium through chromedriver's W3C WebDriver HTTP protocol, spoken with java.net.http: the few
 * commands a page test needs (navigate, find, type, click, run a script, screenshot), no Selenium.
 */
final class WebDriver implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C key under which an element reference travels. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String session;

    private WebDriver(Process driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    /**
     * Starts chromedriver on a free port and a headless Chromium with a new empty profile in {@code profile};
     * the flags keep it from reaching Google's services, which this machine cannot reach.
     */
    static WebDriver start(Path profile, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String base = "http://127.0.0.1:" + port;
        WebDriver probe = new WebDriver(driver, base, null);
        try {
            probe.awaitDriver();
            Files.createDirectories(profile);
            Map<String, Object> chrome = Map.of("binary", CHROMIUM.toString(), "args", List.of(
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1000,720", "--user-data-dir=" + profile));
            JsonNode created = probe.call("POST", "/session",
                    Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", chrome))));
            return new WebDriver(driver, base, created.get("sessionId").asText());
        } catch (IOException | InterruptedException | RuntimeException e) {
            driver.destroyForcibly();
            throw e;
        }
    }

    private void awaitDriver() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                if (call("GET", "/status", null).get("ready").asBoolean()) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (!driver.isAlive()) throw new IllegalStateException("chromedriver exited with " + driver.exitValue());
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromedriver was not ready within 20 s");
    }

    void navigate(String url) throws IOException, InterruptedException {
        command("POST", "/url", Map.of("url", url));
    }

    /** The element matching a CSS selector (the WebDriver error when there is none). */
    String find(String css) throws IOException, InterruptedException {
        return command("POST", "/element", Map.of("using", "css selector", "value", css)).get(ELEMENT).asText();
    }

    void type(String element, String text) throws IOException, InterruptedException {
        command("POST", "/element/" + element + "/value", Map.of("text", text));
    }

    void clear(String element) throws IOException, InterruptedException {
        command("POST", "/element/" + element + "/clear", Map.of());
    }

    void click(String element) throws IOException, InterruptedException {
        command("POST", "/element/" + element + "/click", Map.of());
    }

    /** Runs {@code script} (a function body) in the page and returns what it returns. */
    JsonNode script(String script) throws IOException, InterruptedException {
        return command("POST", "/execute/sync", Map.of("script", script, "args", List.of()));
    }

    void screenshot(Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(command("GET", "/screenshot", null).asText()));
    }

    private JsonNode command(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, "/session/" + session + path, body);
    }

    /** One WebDriver call; its "value", or an exception carrying the driver's error. */
    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(GatewayClient.JSON.writeValueAsBytes(body));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = GatewayClient.JSON.readTree(r.body()).get("value");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " "
                    + (value instanceof ObjectNode o ? o.path("error").asText() + ": " + o.path("message").asText() : r.body()));
        }
        return value;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (session != null) call("DELETE", "/session/" + session, null);
        } catch (IOException | RuntimeException e) {
            // the browser is going away either way
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) driver.destroyForcibly();
        }
    }
}
