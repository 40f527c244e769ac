package dev.streambard.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.streambard.contract.GenerationRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The JSON body of {@code POST /sessions/{id}/requests} (and {@code /reset}) as a {@link GenerationRequest}:
 * every check that does not need the model happens here, so a mistake gets a 400 naming the field. (Seed
 * characters the model does not know, or a top-k above its vocabulary, come back as an ERROR chunk.)
 */
final class RequestBody {
    static final Set<String> FIELDS = Set.of("requestId", "seedText", "maxChars", "temperature", "topK", "rngSeed", "stopSequences", "reset");
    /** Letters, digits and {@code . _ - :}, so an id is safe in a URL path, a Kafka key, a log line. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final String ID_RULE = "1 to 128 letters, digits, '.', '_', '-' or ':'";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RequestBody() {
    }

    static String sessionId(String raw) {
        if (!ID.matcher(raw).matches()) throw HttpError.badRequest("session id '" + raw + "' is not valid: use " + ID_RULE);
        return raw;
    }

    /** A generation request for {@code session} from {@code body}, with a new request id unless it names one. */
    static GenerationRequest parse(byte[] body, String session, int maxCharsLimit) {
        JsonNode root = object(body);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals("sessionId")) throw HttpError.badRequest("sessionId is taken from the path; leave it out of the body");
            if (name.equals("cancel")) throw HttpError.badRequest("to cancel, POST /sessions/" + session + "/cancel");
            if (!FIELDS.contains(name)) throw HttpError.badRequest("unknown field '" + name + "'; the fields are " + new TreeSet<>(FIELDS));
        }
        if (!root.has("seedText")) {
            throw HttpError.badRequest("seedText is missing: the text to start from, or \"\" to continue the session where it stopped");
        }
        GenerationRequest.Builder r = GenerationRequest.newBuilder()
                .setRequestId(requestId(root))
                .setSessionId(session)
                .setSeedText(text(root, "seedText"));
        if (present(root, "maxChars")) {
            int n = integer(root, "maxChars");
            if (n < 1 || n > maxCharsLimit) throw HttpError.badRequest("maxChars must be between 1 and " + maxCharsLimit + ", got " + n);
            r.setMaxChars(n);
        }
        if (present(root, "temperature")) {
            JsonNode t = root.get("temperature");
            if (!t.isNumber() || !(t.asDouble() > 0) || Double.isInfinite(t.asDouble())) {
                throw HttpError.badRequest("temperature must be a number > 0 (1.0 samples as trained; lower is more conservative), got " + t);
            }
            r.setTemperature(t.asDouble());
        }
        if (present(root, "topK")) {
            int k = integer(root, "topK");
            if (k < 0) throw HttpError.badRequest("topK must be 0 (no limit) or more, got " + k);
            r.setTopK(k);
        }
        if (present(root, "rngSeed")) {
            JsonNode s = root.get("rngSeed");
            if (!s.canConvertToLong() || !s.isIntegralNumber()) throw HttpError.badRequest("rngSeed must be an integer (or null), got " + s);
            r.setRngSeed(s.asLong());
        }
        if (present(root, "stopSequences")) r.setStopSequences(stopSequences(root.get("stopSequences")));
        if (present(root, "reset")) {
            if (!root.get("reset").isBoolean()) throw HttpError.badRequest("reset must be true or false, got " + root.get("reset"));
            r.setReset(root.get("reset").asBoolean());
        }
        return r.build();
    }

    /** The body of {@code /cancel}: empty, or an object with an optional requestId. */
    static String cancelRequestId(byte[] body) {
        if (body.length == 0) return newRequestId();
        JsonNode root = object(body);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("requestId")) throw HttpError.badRequest("unknown field '" + name + "'; a cancel takes only requestId (optional)");
        }
        return requestId(root);
    }

    private static JsonNode object(byte[] body) {
        if (body.length == 0) throw HttpError.badRequest("the body is empty: send a JSON object such as {\"seedText\": \"ROMEO: \", \"maxChars\": 200}");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the body is not valid JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw HttpError.badRequest("the body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw HttpError.badRequest("the body must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        return root;
    }

    private static String requestId(JsonNode root) {
        if (!present(root, "requestId")) return newRequestId();
        String id = text(root, "requestId");
        if (!ID.matcher(id).matches()) throw HttpError.badRequest("requestId '" + id + "' is not valid: use " + ID_RULE + ", or leave it out");
        return id;
    }

    static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    private static boolean present(JsonNode root, String field) {
        return root.has(field) && !root.get(field).isNull();
    }

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) throw HttpError.badRequest(field + " must be a string, got " + v);
        return v.asText();
    }

    private static int integer(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw HttpError.badRequest(field + " must be an integer, got " + v);
        return v.asInt();
    }

    private static List<String> stopSequences(JsonNode v) {
        if (!v.isArray()) throw HttpError.badRequest("stopSequences must be an array of strings, got " + v);
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual() || s.asText().isEmpty()) throw HttpError.badRequest("stopSequences must hold non-empty strings, got " + s);
            out.add(s.asText());
        }
        return out;
    }
}
