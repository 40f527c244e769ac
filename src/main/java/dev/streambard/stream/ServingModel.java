package dev.streambard.stream;

import dev.streambard.engine.InferenceEngine;
import dev.streambard.text.Vocabulary;

/** The model the service generates with: the engine, its vocabulary, and the version chunks report. */
public record ServingModel(InferenceEngine engine, Vocabulary vocabulary, long version) {
}
