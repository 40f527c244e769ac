package dev.streambard.stream;

/** The generation service's topics. */
public record TopicNames(String requests, String chunks, String deadLetters) {
    public static TopicNames defaults() {
        return new TopicNames("streambard.requests", "streambard.chunks", "streambard.dead-letters");
    }
}
