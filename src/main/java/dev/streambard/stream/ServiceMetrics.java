package dev.streambard.stream;

/**
 * What the generation processors of one service measure beyond Kafka Streams' own metrics: the engine
 * step's latency, the time from a request's arrival to its first character, and the batch size.
 */
public final class ServiceMetrics {
    private final Histogram stepSeconds = new Histogram(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1);
    private final Histogram firstCharSeconds = new Histogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10);
    private volatile int batchSize;

    /** One batch step (all layers, output layer, sampling) of {@code sessions} sessions. */
    void step(double seconds, int sessions) {
        stepSeconds.observe(seconds);
        batchSize = sessions;
    }

    void firstCharacter(double seconds) {
        firstCharSeconds.observe(seconds);
    }

    public Histogram stepSeconds() {
        return stepSeconds;
    }

    public Histogram firstCharSeconds() {
        return firstCharSeconds;
    }

    /** Sessions stepped together in the most recent slice. */
    public int batchSize() {
        return batchSize;
    }
}
