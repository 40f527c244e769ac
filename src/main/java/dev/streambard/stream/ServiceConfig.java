package dev.streambard.stream;

import dev.streambard.contract.ContractSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every setting of the generation service, with its type, default and documentation (Kafka's ConfigDef).
 * Keys starting with {@code streams.} are passed to Kafka Streams without the prefix.
 */
public final class ServiceConfig extends AbstractConfig {
    public static final String APPLICATION_ID = "application.id";
    public static final String REQUESTS_TOPIC = "topic.requests";
    public static final String CHUNKS_TOPIC = "topic.chunks";
    public static final String DEAD_LETTERS_TOPIC = "topic.dead-letters";
    public static final String PARTITIONS = "topic.partitions";
    public static final String REPLICATION = "topic.replication";
    public static final String GUARANTEE = "processing.guarantee";
    public static final String OUTPUT_FORMAT = "output.format";
    public static final String MAX_CHARS = "max.chars";
    public static final String MAX_SEED_CHARS = "max.seed.chars";
    public static final String MAX_BATCH = "max.batch";
    public static final String TICK_MS = "tick.ms";
    public static final String SLICE_MS = "slice.ms";
    public static final String STEP_BETWEEN_SLICES = "step.between.slices";
    public static final String CHUNK_CHARS = "chunk.chars";
    public static final String QUEUE_LIMIT = "queue.limit";
    public static final String SESSION_TTL_MS = "session.ttl.ms";
    public static final String STATE_DIR = "state.dir";
    public static final String MODEL_NAME = "model.name";
    public static final String CHECKPOINTS_TOPIC = "topic.checkpoints";
    public static final String STREAMS_PREFIX = "streams.";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_BIND = "http.bind";
    public static final String HTTP_REPLAY_CHUNKS = "http.replay.chunks";
    public static final String HTTP_REPLAY_SESSIONS = "http.replay.sessions";
    public static final String HTTP_CLIENT_BUFFER = "http.client.buffer";
    /** The output producer's batch size: several stored session states each (~8 KB for the tutorial model), so a commit's leave in a few requests. */
    static final int OUTPUT_BATCH_BYTES = 64 * 1024;

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(APPLICATION_ID, Type.STRING, "streambard", Importance.HIGH,
                    "Kafka Streams application id: instances with the same id share the work.")
            .define(REQUESTS_TOPIC, Type.STRING, "streambard.requests", Importance.HIGH, "Topic of generation requests (key: session id).")
            .define(CHUNKS_TOPIC, Type.STRING, "streambard.chunks", Importance.HIGH, "Topic of generated chunks (key: session id).")
            .define(DEAD_LETTERS_TOPIC, Type.STRING, "streambard.dead-letters", Importance.MEDIUM,
                    "Topic for records that could not be used, with the reason in the streambard.error header.")
            .define(MODEL_NAME, Type.STRING, "streambard", Importance.HIGH,
                    "The model to serve: new versions promoted under this name on topic.checkpoints are swapped in while running.")
            .define(CHECKPOINTS_TOPIC, Type.STRING, "streambard.checkpoints", Importance.HIGH,
                    "Compacted topic of promoted checkpoints (key: model name), written by the trainer and `promote`.")
            .define(PARTITIONS, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM, "Partitions of topics created at start-up.")
            .define(REPLICATION, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM, "Replication factor of topics created at start-up.")
            .define(GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.HIGH,
                    "exactly_once_v2 (state, output and input offsets commit together) or at_least_once (lower latency; "
                            + "dedupe chunks by request id and index).")
            .define(OUTPUT_FORMAT, Type.STRING, "avro", ValidString.in("avro", "json"), Importance.MEDIUM,
                    "Encoding of output chunks: Avro single-object encoding, or Avro's JSON form for simple frontends.")
            .define(MAX_CHARS, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM, "Largest maxChars a request may ask for.")
            .define(MAX_SEED_CHARS, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM, "Longest seed text accepted.")
            .define(MAX_BATCH, Type.INT, 256, Range.atLeast(1), Importance.MEDIUM, "Sessions stepped together at most; more take turns.")
            .define(TICK_MS, Type.LONG, 5L, Range.atLeast(1), Importance.LOW, "How often the batching punctuator runs.")
            // 100 rather than 20: each slice ends with a poll (up to poll.ms) and the 64 sessions stored while the
            // engine's helper idles; a waiting request ends a slice early anyway (RequestWatcher). Seven paired runs
            // at 64 sessions: +0.00 to +0.06 of the engine's rate, time to first character unchanged (docs/benchmarks.md).
            .define(SLICE_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "How long one punctuation generates before returning control to Kafka Streams (a waiting request ends it early).")
            .define(STEP_BETWEEN_SLICES, Type.BOOLEAN, true, Importance.LOW,
                    "Keep stepping a slice's sessions in another thread while Kafka Streams polls and commits between "
                            + "slices; their characters go out with the next slice.")
            .define(CHUNK_CHARS, Type.INT, 1, Range.atLeast(1), Importance.LOW, "Characters per output chunk.")
            .define(QUEUE_LIMIT, Type.INT, 16, Range.atLeast(0), Importance.LOW, "Requests that may wait behind a running one in a session.")
            .define(SESSION_TTL_MS, Type.LONG, Duration.ofHours(24).toMillis(), Range.atLeast(1), Importance.MEDIUM,
                    "Idle sessions are forgotten after this long.")
            .define(STATE_DIR, Type.STRING, Path.of(System.getProperty("user.home"), ".local", "share", "streambard", "state").toString(),
                    Importance.MEDIUM, "Where Kafka Streams keeps the session store on disk.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the HTTP gateway (chat page, requests, Server-Sent Events, metrics, health); 0: any free port.")
            .define(HTTP_BIND, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                    "Address the HTTP gateway listens on; the loopback default keeps it private to this machine.")
            .define(HTTP_REPLAY_CHUNKS, Type.INT, 2048, Range.atLeast(1), Importance.LOW,
                    "Recent chunks the gateway keeps per watched session for reconnecting clients; older ones are read back from the chunks topic.")
            .define(HTTP_REPLAY_SESSIONS, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
                    "Watched sessions whose recent chunks the gateway keeps (the least recently used without a client are forgotten first).")
            .define(HTTP_CLIENT_BUFFER, Type.INT, 4096, Range.atLeast(1), Importance.LOW,
                    "Events queued for one Server-Sent Events client; a client further behind is disconnected (it resumes with Last-Event-ID).");

    /** @throws org.apache.kafka.common.config.ConfigException for a value a setting refuses, {@code streams.*} ones included */
    public ServiceConfig(Map<?, ?> values) {
        super(DEFINITION, values, false);
        StreamsOverrides.check(originalsWithPrefix(STREAMS_PREFIX));
    }

    public TopicNames topics() {
        return new TopicNames(getString(REQUESTS_TOPIC), getString(CHUNKS_TOPIC), getString(DEAD_LETTERS_TOPIC));
    }

    public StreamSettings settings() {
        return new StreamSettings(getInt(MAX_CHARS), getInt(MAX_SEED_CHARS), getInt(MAX_BATCH),
                Duration.ofMillis(getLong(TICK_MS)), Duration.ofMillis(getLong(SLICE_MS)), getInt(CHUNK_CHARS),
                getInt(QUEUE_LIMIT), Duration.ofMillis(getLong(SESSION_TTL_MS)));
    }

    public ContractSerde.Output outputFormat() {
        return getString(OUTPUT_FORMAT).equals("json") ? ContractSerde.Output.JSON : ContractSerde.Output.AVRO;
    }

    /** Kafka Streams' properties: ours, then any {@code streams.*} overrides. */
    public Properties streamsProperties(String bootstrapServers) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(GUARANTEE));
        p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(REPLICATION));
        // One stream thread: the engine already uses both cores for a batch; more tasks share the thread.
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // The output producer waits 1 ms for more records before it sends: a step's 64 chunks then leave in one
        // produce request instead of ~3, and the broker, the producer and the readers wake a third as often. At
        // 64 sessions Kafka's threads took 0.15 of a core instead of 0.23-0.25 and the service made 11% more
        // characters; the first character waits ≤ 1 ms more (docs/benchmarks.md, 2026-11-29 evening).
        p.put(StreamsConfig.producerPrefix("linger.ms"), 1);
        // Batches of up to 64 KB rather than 16: under exactly-once each commit writes every stepped session's
        // state to the store's changelog (~8 KB each for the tutorial model, 64 of them every 100 ms), and at
        // 16 KB each state was a batch of its own. A produce request carries one batch per partition, so a commit
        // took ~16 requests, and with five in flight the steps' chunks queued behind them (three requests a step
        // instead of one). With 64 KB the commit's share of the stream thread fell from 13% to 6-7% and the first
        // character came ~6-10 ms sooner (docs/benchmarks.md, 2026-11-29 19:35-21:10). 256 KB measured the same; the
        // smaller size keeps the producer's buffers small when the topics have many partitions.
        p.put(StreamsConfig.producerPrefix("batch.size"), OUTPUT_BATCH_BYTES);
        // The stream thread blocks in poll for up to poll.ms when no records arrive, and the batching
        // punctuator waits as long (default 100 ms); at 5 ms it idled a fifth of the time between slices.
        p.put(StreamsConfig.POLL_MS_CONFIG, 1L);
        p.put("processing.exception.handler.global.enabled", true); // the 5.0 default; silences a start-up warning
        // A killed instance's sessions move to a survivor (or its restart) once its group session expires:
        // 10 s instead of the consumer's 45 s default.
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 3_000);
        Map<String, Object> overrides = new HashMap<>(originalsWithPrefix(STREAMS_PREFIX));
        p.putAll(overrides);
        return p;
    }

    /** Every key with its default and documentation, for the README and --help. */
    public static String describe() {
        return DEFINITION.toRst();
    }
}
