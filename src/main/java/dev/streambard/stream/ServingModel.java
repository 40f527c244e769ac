package dev.streambard.stream;

import dev.streambard.engine.InferenceEngine;
import dev.streambard.text.Vocabulary;

/**
 * The model the service generates with: the engine, its vocabulary, the version chunks report, and the
 * SHA-256 of the checkpoint it came from (null when it was not loaded from one), which identifies it.
 */
public record ServingModel(InferenceEngine engine, Vocabulary vocabulary, long version, String checkpointSha256) {

    public ServingModel(InferenceEngine engine, Vocabulary vocabulary, long version) {
        this(engine, vocabulary, version, null);
    }
}
