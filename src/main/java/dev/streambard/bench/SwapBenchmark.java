package dev.streambard.bench;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.ingest.CheckpointEvents;
import dev.streambard.kafka.Clients;
import dev.streambard.kafka.EmbeddedKafka;
import dev.streambard.model.CharModel;
import dev.streambard.model.TrainingProgress;
import dev.streambard.stream.CheckpointFollower;
import dev.streambard.stream.GenerationService;
import dev.streambard.stream.ServiceConfig;
import dev.streambard.stream.ServingModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Hot swap end to end: a service on an embedded broker generates for N sessions with version 1; a
 * promotion event for another version is published, and the clock runs until the first chunk produced
 * by that version is read from the output topic (read-committed). Versions alternate for each repeat.
 */
public final class SwapBenchmark {
    /** Publication to first chunk of the new version, and the part of it spent loading and verifying. */
    public record Result(int sessions, List<Double> swapSeconds, List<Double> loadSeconds) {
    }

    private static final String MODEL = "bench";
    private static final String CANDIDATES = "bench.candidates";

    private SwapBenchmark() {
    }

    /** @param versions two models of the same shape and vocabulary (e.g. two random initialisations) */
    public static Result run(List<CharModel> versions, Path workDir, int sessions, int repeats) throws Exception {
        CheckpointStore store = new CheckpointStore(workDir.resolve("store"), MODEL);
        List<Path> folders = new ArrayList<>();
        for (int v = 0; v < versions.size(); v++) {
            Lineage lineage = new Lineage(MODEL, v + 1, v == 0 ? null : (long) v, Map.of(), 0, System.currentTimeMillis(), null, null, null);
            folders.add(store.write(versions.get(v).toCheckpoint(TrainingProgress.start()).withLineage(lineage)));
        }
        try (EmbeddedKafka broker = EmbeddedKafka.start(workDir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrapServers();
            Map<String, Object> settings = new HashMap<>();
            settings.put(ServiceConfig.STATE_DIR, workDir.resolve("state").toString());
            settings.put(ServiceConfig.PARTITIONS, 1);
            settings.put(ServiceConfig.MODEL_NAME, MODEL);
            settings.put(ServiceConfig.MAX_CHARS, 100_000_000);
            ServiceConfig config = new ServiceConfig(settings);
            GenerationService.ensureTopics(config, bootstrap);
            dev.streambard.kafka.TopicAdmin.ensureTopics(bootstrap, List.of(new dev.streambard.kafka.TopicSpec(CANDIDATES, 1, 1)));
            String topic = config.getString(ServiceConfig.CHECKPOINTS_TOPIC);
            AtomicReference<ServingModel> serving = new AtomicReference<>();
            AtomicLong lastLoadNanos = new AtomicLong();
            CheckpointFollower.Listener listener = new CheckpointFollower.Listener() {
                @Override
                public void swapped(ServingModel previous, ServingModel now, Duration loading) {
                    lastLoadNanos.set(loading.toNanos());
                }

                @Override
                public void refused(CheckpointEvent event, String reason) {
                    throw new IllegalStateException("the benchmark's checkpoint was refused: " + reason);
                }
            };
            try (CheckpointEvents events = new CheckpointEvents(bootstrap, topic, CANDIDATES)) {
                events.promoted(CheckpointEvents.promotion(CheckpointFiles.read(folders.get(0), false), folders.get(0), "benchmark", null, null));
            }
            List<Double> swaps = new ArrayList<>();
            List<Double> loads = new ArrayList<>();
            try (CheckpointFollower follower = new CheckpointFollower(bootstrap, topic, MODEL, serving, listener);
                 GenerationService service = GenerationService.start(config, bootstrap, serving, Duration.ofMinutes(2));
                 KafkaProducer<String, byte[]> producer = Clients.producer(bootstrap, Map.of());
                 KafkaConsumer<String, byte[]> chunks = Clients.reader(bootstrap, config.topics().chunks(), Duration.ofSeconds(30));
                 CheckpointEvents events = new CheckpointEvents(bootstrap, topic, CANDIDATES)) {
                String seed = serving.get().vocabulary().decode(new int[]{1, 2, 3});
                for (int s = 0; s < sessions; s++) {
                    GenerationRequest r = GenerationRequest.newBuilder().setRequestId("r" + s).setSessionId("s" + s)
                            .setSeedText(seed).setMaxChars(100_000_000).setRngSeed((long) s).build();
                    producer.send(new ProducerRecord<>(config.topics().requests(), r.getSessionId(), Contracts.GENERATION_REQUEST.encode(r)));
                }
                producer.flush();
                awaitVersion(chunks, 1, Duration.ofMinutes(2));
                for (int i = 0; i < repeats; i++) {
                    int next = (i + 1) % versions.size();
                    Path folder = folders.get(next);
                    CheckpointEvent event = CheckpointEvents.promotion(CheckpointFiles.read(folder, false), folder, "benchmark", null, null);
                    chunks.seekToEnd(chunks.assignment());
                    long start = System.nanoTime();
                    events.promoted(event);
                    awaitVersion(chunks, next + 1, Duration.ofMinutes(1));
                    swaps.add((System.nanoTime() - start) / 1e9);
                    loads.add(lastLoadNanos.get() / 1e9);
                }
            }
            return new Result(sessions, swaps, loads);
        }
    }

    private static void awaitVersion(KafkaConsumer<String, byte[]> chunks, long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : chunks.poll(Duration.ofMillis(20))) {
                GenerationChunk c = Contracts.GENERATION_CHUNK.decode(r.value());
                if (c.getModelVersion() == version) return;
            }
        }
        throw new IllegalStateException("no chunk from version " + version + " within " + timeout.toSeconds() + " s");
    }
}
