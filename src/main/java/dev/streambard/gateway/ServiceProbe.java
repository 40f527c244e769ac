package dev.streambard.gateway;

import dev.streambard.stream.CheckpointFollower;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServingModel;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the gateway reports about the generation service of its process: whether it is ready, and its metrics.
 * The gateway starts before the service (so {@code /ready} can say what it waits for); {@link #started} hands
 * the service over once it runs.
 */
public final class ServiceProbe {
    /** Where Kafka Streams puts the sensors the generation processor adds (scope "streambard"). */
    static final String PROCESSOR_GROUP = "stream-streambard-metrics";

    private static final dev.streambard.stream.Histogram EMPTY = new dev.streambard.stream.ServiceMetrics().stepSeconds();
    private final Supplier<ServingModel> model;
    private final CheckpointFollower follower;
    private final String waitingFor;
    private volatile GenerationService service;
    private volatile Supplier<Map<MetricName, ? extends Metric>> trainer = Map::of;

    /**
     * @param follower   the follower that swaps versions in; null when the model is fixed
     * @param waitingFor what {@code /ready} says while there is no model
     */
    public ServiceProbe(Supplier<ServingModel> model, CheckpointFollower follower, String waitingFor) {
        this.model = model;
        this.follower = follower;
        this.waitingFor = waitingFor;
    }

    /** A trainer in the same process: its metrics are exported too (streambard_trainer_*). */
    public void trainer(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.trainer = metrics;
    }

    public void started(GenerationService running) {
        this.service = running;
    }

    /** Null when ready: Kafka Streams RUNNING and a model loaded; otherwise why not, for a person. */
    String notReady() {
        GenerationService s = service;
        if (model.get() == null) return "no model loaded: " + waitingFor;
        if (s == null) return "the generation service is starting";
        KafkaStreams.State state = s.state();
        if (state != KafkaStreams.State.RUNNING) return "Kafka Streams is " + state + ", not RUNNING";
        return null;
    }

    void writeMetrics(PrometheusText out) {
        ServingModel m = model.get();
        GenerationService s = service;
        Map<MetricName, ? extends Metric> streams = s == null ? Map.of() : s.metrics();
        out.gauge("streambard_ready", "1 when Kafka Streams is RUNNING and a model is loaded", notReady() == null ? 1 : 0)
                .gauge("streambard_model_version", "Version of the model generating now (0: none yet)", m == null ? 0 : m.version())
                .counter("streambard_model_swaps_total", "Model versions swapped in while running",
                        follower == null ? 0 : follower.swaps())
                .counter("streambard_checkpoints_refused_total", "Promoted checkpoints refused (failed verification or unreadable events)",
                        follower == null ? 0 : follower.refusals())
                .counter("streambard_chunks_total", "Chunks written to the chunks topic (one character each at chunk.chars=1)",
                        PrometheusText.sum(streams, PROCESSOR_GROUP, "chunks-total"))
                .gauge("streambard_chunks_per_second", "Chunks per second over Kafka's sample window: characters/s at chunk.chars=1",
                        PrometheusText.sum(streams, PROCESSOR_GROUP, "chunks-rate"))
                .counter("streambard_dead_letters_total", "Requests that could not be used (see the dead-letters topic)",
                        PrometheusText.sum(streams, PROCESSOR_GROUP, "dead-letters-total"))
                .gauge("streambard_active_sessions", "Sessions generating or waiting to, in this instance",
                        PrometheusText.sum(streams, PROCESSOR_GROUP, "live-sessions"))
                .gauge("streambard_batch_size", "Sessions stepped together in the latest slice", s == null ? 0 : s.serviceMetrics().batchSize())
                .histogram("streambard_step_seconds", "One batch step: every layer, the output layer and sampling",
                        s == null ? EMPTY : s.serviceMetrics().stepSeconds())
                .histogram("streambard_first_char_seconds", "From a request's arrival to its first character",
                        s == null ? EMPTY : s.serviceMetrics().firstCharSeconds())
                .kafka("streambard_", trainer.get())
                .kafka("kafka_streams_", streams);
    }
}
