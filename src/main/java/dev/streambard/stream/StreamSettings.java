package dev.streambard.stream;

import java.time.Duration;

/**
 * How the generation processor behaves. Validated on construction.
 *
 * @param maxChars     the largest {@code maxChars} a request may ask for
 * @param maxSeedChars the longest seed text accepted
 * @param maxBatch     sessions stepped together at most; more active sessions take turns
 * @param tick         how often the batching punctuator runs
 * @param slice        how long one punctuation may generate before returning control to Kafka Streams
 * @param chunkChars   characters per output chunk (the last chunk of a request may be shorter)
 * @param queueLimit   requests that may wait behind a running one in a session
 * @param sessionTtl   idle sessions are forgotten after this long
 */
public record StreamSettings(int maxChars, int maxSeedChars, int maxBatch, Duration tick, Duration slice,
                             int chunkChars, int queueLimit, Duration sessionTtl) {

    public static StreamSettings defaults() {
        return new StreamSettings(10_000, 10_000, 256, Duration.ofMillis(5), Duration.ofMillis(20), 1, 16,
                Duration.ofHours(24));
    }

    public StreamSettings {
        require(maxChars >= 1, "max chars limit must be at least 1");
        require(maxSeedChars >= 1, "max seed chars must be at least 1");
        require(maxBatch >= 1, "max batch must be at least 1");
        require(!tick.isNegative() && !tick.isZero(), "tick must be positive");
        require(!slice.isNegative() && !slice.isZero(), "slice must be positive");
        require(chunkChars >= 1, "chunk chars must be at least 1");
        require(queueLimit >= 0, "queue limit must not be negative");
        require(!sessionTtl.isNegative() && !sessionTtl.isZero(), "session TTL must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
