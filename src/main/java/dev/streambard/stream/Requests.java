package dev.streambard.stream;

import dev.streambard.contract.ActiveRequest;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.text.UnknownCharactersException;
import dev.streambard.text.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Checks requests against the model and the settings, and turns a valid one into the running form. */
final class Requests {
    private final StreamSettings settings;

    Requests(StreamSettings settings) {
        this.settings = settings;
    }

    /** A reason a person can act on, or null when the request is valid. */
    String problem(String key, GenerationRequest r, Vocabulary vocabulary, boolean sessionHasState) {
        if (r.getRequestId().isBlank()) return "requestId must not be empty";
        if (!r.getSessionId().equals(key)) {
            return "sessionId '" + r.getSessionId() + "' differs from the record key '" + key + "'; key requests by session id";
        }
        if (r.getCancel()) return null;
        if (r.getMaxChars() < 1 || r.getMaxChars() > settings.maxChars()) {
            return "maxChars must be between 1 and " + settings.maxChars() + ", got " + r.getMaxChars();
        }
        double t = r.getTemperature();
        if (!(t > 0) || Double.isInfinite(t)) return "temperature must be a finite number > 0, got " + t;
        if (r.getTopK() < 0 || r.getTopK() > vocabulary.size()) {
            return "topK must be between 0 (no limit) and " + vocabulary.size() + ", got " + r.getTopK();
        }
        int seedLength = r.getSeedText().codePointCount(0, r.getSeedText().length());
        if (seedLength > settings.maxSeedChars()) {
            return "seedText has " + seedLength + " characters; at most " + settings.maxSeedChars() + " are accepted";
        }
        if (seedLength == 0 && (r.getReset() || !sessionHasState)) {
            return "seedText must not be empty for a new or reset session: there is nothing to continue from";
        }
        try {
            vocabulary.encode(r.getSeedText());
        } catch (UnknownCharactersException e) {
            return "seedText: " + e.getMessage();
        }
        return null;
    }

    /** The running form of a valid, non-cancel request. */
    static ActiveRequest start(GenerationRequest r, Vocabulary vocabulary) {
        List<Integer> toFeed = new ArrayList<>();
        for (int ch : vocabulary.encode(r.getSeedText())) toFeed.add(ch);
        long seed = r.getRngSeed() != null ? r.getRngSeed() : seedFrom(r.getRequestId());
        return ActiveRequest.newBuilder()
                .setRequestId(r.getRequestId())
                .setMaxChars(r.getMaxChars())
                .setTemperature(r.getTemperature())
                .setTopK(r.getTopK())
                .setRngSeed(seed)
                .setStopSequences(new ArrayList<>(r.getStopSequences()))
                .setToFeed(toFeed)
                .build();
    }

    /** A request without an RNG seed gets one from its id, so a replay still gives the same text. */
    static long seedFrom(String requestId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }
}
