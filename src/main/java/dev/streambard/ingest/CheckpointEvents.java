package dev.streambard.ingest;

import dev.streambard.checkpoint.AtomicFolder;
import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CandidateOutcome;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.contract.Contracts;
import dev.streambard.kafka.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Checkpoint events on their two topics: the compacted checkpoints topic, whose latest record per model
 * is the model to serve, and the candidates topic, which records every round's outcome with its reason.
 */
public final class CheckpointEvents implements AutoCloseable {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private final KafkaProducer<String, byte[]> producer;
    private final String checkpointsTopic;
    private final String candidatesTopic;

    public CheckpointEvents(String bootstrapServers, String checkpointsTopic, String candidatesTopic) {
        this.producer = Clients.producer(bootstrapServers, Map.of());
        this.checkpointsTopic = checkpointsTopic;
        this.candidatesTopic = candidatesTopic;
    }

    /** Publishes a promotion: on the candidates topic, then on the checkpoints topic that services follow. */
    public void promoted(CheckpointEvent event) {
        if (event.getOutcome() != CandidateOutcome.PROMOTED) throw new IllegalArgumentException("not a promotion: " + event);
        send(candidatesTopic, event);
        send(checkpointsTopic, event);
    }

    /** Records a rejected candidate; services never see it. */
    public void rejected(CheckpointEvent event) {
        if (event.getOutcome() != CandidateOutcome.REJECTED) throw new IllegalArgumentException("not a rejection: " + event);
        send(candidatesTopic, event);
    }

    private void send(String topic, CheckpointEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.getModelName(), Contracts.CHECKPOINT_EVENT.encode(event)))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish version " + event.getVersion() + " of " + event.getModelName()
                    + " to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing a checkpoint event", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The event announcing a checkpoint written to {@code folder}; its lineage supplies version, offsets and losses. */
    public static CheckpointEvent promotion(Checkpoint cp, Path folder, String reason, Double baseLossBefore, Double newTextLossBefore) {
        Lineage l = cp.lineage();
        return builder(cp, l)
                .setUri(CheckpointStore.uri(folder).toString())
                .setSha256(AtomicFolder.folderSha256(folder))
                .setOutcome(CandidateOutcome.PROMOTED)
                .setReason(reason)
                .setBaseLossBefore(baseLossBefore)
                .setNewTextLossBefore(newTextLossBefore)
                .build();
    }

    /** The event recording a rejected candidate, which is not kept on disk. */
    public static CheckpointEvent rejection(Checkpoint candidate, String reason, Double baseLossBefore, Double newTextLossBefore) {
        return builder(candidate, candidate.lineage())
                .setUri("")
                .setSha256("")
                .setOutcome(CandidateOutcome.REJECTED)
                .setReason(reason)
                .setBaseLossBefore(baseLossBefore)
                .setNewTextLossBefore(newTextLossBefore)
                .build();
    }

    private static CheckpointEvent.Builder builder(Checkpoint cp, Lineage l) {
        return CheckpointEvent.newBuilder()
                .setModelName(l.modelName())
                .setVersion(l.version())
                .setParentVersion(l.parentVersion())
                .setVocabularySha256(cp.vocabulary().sha256())
                .setTrainingLoss(l.trainingLoss())
                .setValidationLoss(l.baseLoss())
                .setNewTextLoss(l.newTextLoss())
                .setCharactersTrained(l.charactersTrained())
                .setSourceOffsets(new HashMap<>(l.sourceOffsets()))
                .setCreatedAt(l.createdAt());
    }

    /**
     * Reads a checkpoints topic from where {@code reader} stands to the topic's end as it was when called;
     * returns the latest promotion per model name. Records that do not decode go to {@code bad} (offset, reason).
     */
    public static Map<String, CheckpointEvent> catchUp(KafkaConsumer<String, byte[]> reader, Duration timeout,
                                                       BiConsumer<String, String> bad) {
        Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment(), timeout);
        Map<String, CheckpointEvent> latest = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), timeout) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the checkpoints topic to its end within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                CheckpointEvent e = decode(r, bad);
                if (e != null) latest.put(e.getModelName().toString(), e);
            }
        }
        return latest;
    }

    /** The latest promoted version of {@code modelName}, if any was ever announced. */
    public static Optional<CheckpointEvent> latest(String bootstrapServers, String topic, String modelName, Duration timeout,
                                                   BiConsumer<String, String> bad) {
        try (KafkaConsumer<String, byte[]> reader = Clients.reader(bootstrapServers, topic, timeout)) {
            return Optional.ofNullable(catchUp(reader, timeout, bad).get(modelName));
        }
    }

    /** The event in a record, or null (reported to {@code bad}) when it is not a promotion that decodes. */
    public static CheckpointEvent decode(ConsumerRecord<String, byte[]> r, BiConsumer<String, String> bad) {
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        if (r.value() == null) return null; // a tombstone: nothing to serve
        try {
            CheckpointEvent e = Contracts.CHECKPOINT_EVENT.decode(r.value());
            if (e.getOutcome() != CandidateOutcome.PROMOTED) {
                bad.accept(where, "a " + e.getOutcome() + " event does not belong on the checkpoints topic");
                return null;
            }
            return e;
        } catch (RuntimeException e) {
            bad.accept(where, e.getMessage());
            return null;
        }
    }
}
