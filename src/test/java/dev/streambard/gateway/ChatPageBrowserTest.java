package dev.streambard.gateway;

import static dev.streambard.stream.ServiceTestSupport.START_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServiceTestSupport;
import dev.streambard.stream.ServingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat page in headless Chromium, against the gateway, a real service and broker: type a seed, send,
 * watch the text stream in, check the model version shown, continue the session; a screenshot is kept in
 * target/chat-page.png.
 */
class ChatPageBrowserTest {
    private static final Path SCREENSHOT = Path.of("target", "chat-page.png");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsChromium() {
        for (Path p : new Path[] {WebDriver.CHROMIUM, WebDriver.CHROMEDRIVER}) {
            if (!Files.isExecutable(p)) {
                String why = p + " is missing: install Debian's chromium and chromium-driver (apt-get install chromium "
                        + "chromium-driver; .ci/run does this), the browser this test drives the chat page with";
                // CI installs them, so there their absence is a failure; on a developer's machine the test is skipped, loudly.
                if (System.getenv("CI") != null) fail(why);
                Assumptions.assumeTrue(false, why);
            }
        }
    }

    @Test
    void aSeedTypedInThePageStreamsItsContinuationWithTheModelVersion() throws Exception {
        ServingModel model = ServiceTestSupport.tinyModel(7);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            ServiceConfig config = ServiceTestSupport.config("browser", dir.resolve("state"), Map.of());
            try (GenerationService service = GenerationService.start(config, kafka.bootstrapServers(), model, START_TIMEOUT)) {
                ServiceProbe probe = new ServiceProbe(() -> model, null, "-");
                probe.started(service);
                try (Gateway gateway = Gateway.start(GatewaySettings.from(config).withPort(0), kafka.bootstrapServers(), probe);
                     WebDriver browser = WebDriver.start(dir.resolve("profile"), dir.resolve("chromedriver.log"))) {
                    browser.navigate(gateway.url() + "?session=browser-1");
                    await(browser, "return document.getElementById('status').textContent === 'connected'", "the event stream to open");

                    browser.type(browser.find("#seed"), "the quick");
                    String chars = browser.find("#chars");
                    browser.clear(chars);
                    browser.type(chars, "80");
                    browser.click(browser.find("#send"));
                    await(browser, "return document.querySelector('.turn') && document.querySelector('.turn').dataset.finish === 'LENGTH'",
                            "the first turn to finish");
                    assertEquals("the quick", text(browser, ".turn .seed"));
                    assertEquals(80, text(browser, ".turn .generated").codePointCount(0, text(browser, ".turn .generated").length()),
                            "the streamed continuation, every character of it");
                    assertEquals("model v7", text(browser, "#model-version"));

                    // Continue the same session: an empty seed.
                    browser.click(browser.find("#send"));
                    await(browser, "const t = document.querySelectorAll('.turn'); return t.length === 2 && t[1].dataset.finish === 'LENGTH'",
                            "the continuation to finish");
                    assertTrue(text(browser, ".turn:nth-child(2) .meta").startsWith("model v7"));
                    assertEquals("", text(browser, "#error"));
                    browser.screenshot(SCREENSHOT);
                }
            }
        }
        assertTrue(Files.size(SCREENSHOT) > 1000, "a screenshot in " + SCREENSHOT.toAbsolutePath());
    }

    private static String text(WebDriver browser, String css) throws Exception {
        return browser.script("return document.querySelector(\"" + css + "\").textContent").asText();
    }

    private static void await(WebDriver browser, String condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode holds = browser.script(condition);
            if (holds.asBoolean()) return;
            Thread.sleep(100);
        }
        fail("waited 60 s for " + what + "; the page shows: " + browser.script("return document.body.innerText").asText());
    }
}
