package dev.streambard.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Method and path to handler, with the answers a client can act on: 404 for an unknown path, 405 (with
 * Allow) for a known path and the wrong method, the status and message of an {@link HttpError}, all as JSON.
 */
final class Router implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    interface Handler {
        void handle(HttpExchange ex, Matcher path) throws IOException;
    }

    private record Route(String method, Pattern path, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** {@code path} is a regular expression over the whole raw path; its groups reach the handler. */
    Router route(String method, String path, Handler handler) {
        routes.add(new Route(method, Pattern.compile(path), handler));
        return this;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) { // closed after the catch blocks below have answered
            route(ex);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            Set<String> allowed = new LinkedHashSet<>();
            for (Route r : routes) {
                Matcher m = r.path.matcher(path);
                if (!m.matches()) continue;
                if (r.method.equals(ex.getRequestMethod())) {
                    r.handler.handle(ex, m);
                    return;
                }
                allowed.add(r.method);
            }
            if (allowed.isEmpty()) throw new HttpError(404, "no such path: " + path + "; the gateway serves / (chat page), "
                    + "/sessions/{id}/requests, /sessions/{id}/reset, /sessions/{id}/cancel, /sessions/{id}/events, /health, /ready, /metrics");
            ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
            throw new HttpError(405, ex.getRequestMethod() + " is not allowed on " + path + "; use " + String.join(" or ", allowed));
        } catch (HttpError e) {
            answerError(ex, e.status, e.getMessage());
        } catch (IOException e) {
            throw e; // the client went away
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            answerError(ex, 500, "internal error: " + e);
        }
    }

    /** Answers with the error unless the handler had already started its answer (then there is nothing to add). */
    private static void answerError(HttpExchange ex, int status, String message) throws IOException {
        if (ex.getResponseCode() != -1) return;
        Exchanges.error(ex, status, message);
    }
}
