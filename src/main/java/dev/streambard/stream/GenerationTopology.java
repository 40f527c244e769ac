package dev.streambard.stream;

import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.contract.SessionState;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The generation service's topology, built the same way for the service, for TopologyTestDriver and
 * for integration tests: requests (raw bytes, decoded by the processor so bad ones become dead
 * letters) → generation processor with the session store → chunks, and dead letters.
 */
public final class GenerationTopology {
    static final String SOURCE = "requests";
    static final String PROCESSOR = "generation";
    static final String CHUNK_SINK = "chunks";
    static final String DEAD_LETTER_SINK = "dead-letters";
    public static final String SESSION_STORE = "sessions";

    /** Serialisation of what the topology reads, writes and stores. */
    public record Codecs(Function<byte[], GenerationRequest> requests, Serde<GenerationChunk> chunks,
                         Serde<SessionState> sessions) {
    }

    private GenerationTopology() {
    }

    public static Topology build(TopicNames topics, StreamSettings settings, Supplier<ServingModel> model, Codecs codecs) {
        return build(topics, settings, model, codecs, new ServiceMetrics(), ArrivalSignal.NONE);
    }

    /**
     * As above, with the processors reporting step latency, time to first character and batch size to
     * {@code metrics}, and ending a slice early when {@code arrivals} signals a new request.
     */
    public static Topology build(TopicNames topics, StreamSettings settings, Supplier<ServingModel> model, Codecs codecs,
                                 ServiceMetrics metrics, ArrivalSignal arrivals) {
        return build(topics, settings, model, codecs, metrics, arrivals, StepAhead.disabled());
    }

    /** As above, with batches stepping on between slices through {@code stepAhead} (the caller closes it). */
    static Topology build(TopicNames topics, StreamSettings settings, Supplier<ServingModel> model, Codecs codecs,
                          ServiceMetrics metrics, ArrivalSignal arrivals, StepAhead stepAhead) {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.requests());
        t.addProcessor(PROCESSOR, () -> new GenerationProcessor(model, settings, codecs.requests(), metrics, arrivals, stepAhead), SOURCE);
        // Persistent (RocksDB, on disk rather than heap) and changelogged; the cache turns a session's
        // writes between two commits into one changelog record.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                Serdes.String(), codecs.sessions()).withCachingEnabled(), PROCESSOR);
        t.addSink(CHUNK_SINK, topics.chunks(), Serdes.String().serializer(), codecs.chunks().serializer(), PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, topics.deadLetters(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        return t;
    }
}
