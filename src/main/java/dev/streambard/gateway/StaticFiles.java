package dev.streambard.gateway;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The chat page: plain HTML, JavaScript and CSS from the class path (no build step, no external URLs). */
final class StaticFiles {
    private static final String ROOT = "/dev/streambard/gateway/web/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private StaticFiles() {
    }

    /** Serves {@code name} (a file of the web folder, e.g. {@code chat.js}); 404 when there is none. */
    static void serve(HttpExchange ex, String name) throws IOException {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(extension);
        try (InputStream in = type == null ? null : StaticFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) throw new HttpError(404, "no such file: /" + name);
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; connect-src 'self'");
            Exchanges.send(ex, 200, type, body);
        }
    }
}
