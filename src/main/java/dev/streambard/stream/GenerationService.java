package dev.streambard.stream;

import dev.streambard.contract.ContractCodec;
import dev.streambard.contract.ContractSerde;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.SessionState;
import dev.streambard.kafka.TopicAdmin;
import dev.streambard.kafka.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running generation service: topics ensured, the topology running in Kafka Streams. */
public final class GenerationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationService.class);
    private static final ContractCodec<SessionState> SESSION_CODEC = ContractCodec.of(SessionState.class);

    private final KafkaStreams streams;
    private final RequestWatcher watcher;
    private final AtomicReference<ServingModel> model;
    private final ServiceMetrics serviceMetrics;
    private final StepAhead stepAhead;

    private GenerationService(KafkaStreams streams, RequestWatcher watcher, AtomicReference<ServingModel> model,
                              ServiceMetrics serviceMetrics, StepAhead stepAhead) {
        this.streams = streams;
        this.stepAhead = stepAhead;
        this.watcher = watcher;
        this.model = model;
        this.serviceMetrics = serviceMetrics;
    }

    /** Creates missing topics, starts the topology and waits until it is running. */
    public static GenerationService start(ServiceConfig config, String bootstrapServers, ServingModel initial, Duration timeout) {
        return start(config, bootstrapServers, new AtomicReference<>(initial), timeout);
    }

    /**
     * Creates missing topics, starts the topology and waits until it is running. The processor reads
     * {@code model} at every slice, so setting it (see {@link CheckpointFollower}) swaps the model live.
     */
    public static GenerationService start(ServiceConfig config, String bootstrapServers, AtomicReference<ServingModel> model,
                                          Duration timeout) {
        if (model.get() == null) throw new IllegalStateException("the service needs a model before it starts");
        ServiceMetrics metrics = new ServiceMetrics();
        ensureTopics(config, bootstrapServers);
        var codecs = new GenerationTopology.Codecs(Contracts.GENERATION_REQUEST::decode,
                new ContractSerde<>(Contracts.GENERATION_CHUNK, config.outputFormat()), ContractSerde.avro(SESSION_CODEC));
        // A slice ends early when a request arrives, so that Kafka Streams polls it sooner.
        RequestWatcher watcher = RequestWatcher.start(bootstrapServers, config.topics().requests());
        StepAhead stepAhead = config.getBoolean(ServiceConfig.STEP_BETWEEN_SLICES) ? StepAhead.enabled() : StepAhead.disabled();
        KafkaStreams streams = new KafkaStreams(
                GenerationTopology.build(config.topics(), config.settings(), model::get, codecs, metrics, watcher, stepAhead),
                config.streamsProperties(bootstrapServers));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
                KafkaStreams.State s = streams.state();
                boolean closed = leave(streams, Duration.ofSeconds(10));
                watcher.close();
                stepAhead.close();
                throw new IllegalStateException("the generation service did not start (state " + s + ") against "
                        + bootstrapServers + (closed ? "" : "; it did not stop in time either and may still be running"));
            }
            sleep(50);
        }
        return new GenerationService(streams, watcher, model, metrics, stepAhead);
    }

    /** Creates the service's topics where missing: requests, chunks, dead letters, and the compacted checkpoints topic. */
    public static void ensureTopics(ServiceConfig config, String bootstrapServers) {
        TopicNames topics = config.topics();
        int partitions = config.getInt(ServiceConfig.PARTITIONS);
        short replication = config.getShort(ServiceConfig.REPLICATION);
        TopicAdmin.ensureTopics(bootstrapServers, List.of(
                new TopicSpec(topics.requests(), partitions, replication),
                new TopicSpec(topics.chunks(), partitions, replication),
                new TopicSpec(topics.deadLetters(), partitions, replication),
                TopicSpec.compacted(config.getString(ServiceConfig.CHECKPOINTS_TOPIC), 1, replication)));
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Step latency, time to first character and batch size, measured by the processors. */
    public ServiceMetrics serviceMetrics() {
        return serviceMetrics;
    }

    public ServingModel model() {
        return model.get();
    }

    /** Kafka Streams' metrics, with the processor's own (chunks, dead letters, live sessions) among them. */
    public Map<MetricName, ? extends Metric> metrics() {
        return streams.metrics();
    }

    /** Finishes the current slice, commits, and stops. */
    @Override
    public void close() {
        leave(streams, Duration.ofSeconds(30));
        watcher.close();
        stepAhead.close();
    }

    /**
     * Closes and leaves the consumer group: a plain close keeps the member, and a restart with the same
     * application id then waits out the session timeout (45 s) in REBALANCING.
     */
    private static boolean leave(KafkaStreams streams, Duration timeout) {
        return streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }
}
