package dev.streambard.ingest;

import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.kafka.Clients;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The trainer inside {@code serve}'s one-process setup: it holds the model's lock, starts from the latest
 * promoted version (or {@code init}), feeds the base corpus's training part into an empty corpus topic,
 * and fine-tunes on its own thread until closed, so a newcomer sees versions arrive and the text improve.
 */
public final class EmbeddedTrainer implements AutoCloseable {
    private final TrainerLock lock;
    private final TrainingConsumer trainer;
    private final Thread thread;

    private EmbeddedTrainer(TrainerLock lock, TrainingConsumer trainer, PrintStream log) {
        this.lock = lock;
        this.trainer = trainer;
        this.thread = new Thread(() -> {
            try {
                trainer.run(0);
            } catch (RuntimeException e) {
                log.println("trainer: stopped: " + e.getMessage());
            }
        }, "streambard-trainer");
        thread.setDaemon(true);
    }

    /**
     * @param init used when the model has no promoted version yet
     */
    public static EmbeddedTrainer start(TrainerConfig config, String bootstrapServers, TrainerSetup.Init init, String baseText,
                                        PrintStream log) {
        CheckpointStore store = new CheckpointStore(Path.of(config.getString(TrainerConfig.STORE)), config.getString(TrainerConfig.MODEL_NAME));
        TrainerLock lock = TrainerLock.acquire(store.modelFolder(), store.modelName());
        try {
            TrainerSetup.ensureTopics(config, bootstrapServers);
            feedIfEmpty(config, bootstrapServers, baseText, log);
            TrainerSetup.Prepared prepared = TrainerSetup.prepare(config, bootstrapServers, store, init, baseText, log);
            TrainingConsumer consumer = new TrainingConsumer(config, bootstrapServers, store, prepared.start(), prepared.baseEncoded(), log);
            EmbeddedTrainer t = new EmbeddedTrainer(lock, consumer, log);
            t.thread.start();
            return t;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A corpus topic that has never had a record gets the base corpus's training part (its held-out part judges). */
    private static void feedIfEmpty(TrainerConfig config, String bootstrapServers, String baseText, PrintStream log) {
        String topic = config.getString(TrainerConfig.CORPUS_TOPIC);
        long records;
        try (KafkaConsumer<String, byte[]> reader = Clients.reader(bootstrapServers, topic, Duration.ofSeconds(30))) {
            records = reader.endOffsets(reader.assignment()).values().stream().mapToLong(Long::longValue).sum();
        }
        if (records > 0) return;
        int codePoints = baseText.codePointCount(0, baseText.length());
        int cut = (int) (codePoints * (1 - dev.streambard.model.TrainingConfig.DEFAULT_VALIDATION)); // as CorpusSplit cuts
        String training = baseText.substring(0, baseText.offsetByCodePoints(0, cut));
        try (CorpusPublisher publisher = new CorpusPublisher(bootstrapServers, topic, 8192)) {
            CorpusPublisher.Published p = publisher.publish("base-corpus", new StringReader(training));
            log.printf("trainer: fed %,d characters of the base corpus to %s to learn from%n", p.characters(), topic);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public TrainerMetrics metrics() {
        return trainer.metrics();
    }

    @Override
    public void close() {
        trainer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis()); // a round in progress is abandoned at its next poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) trainer.close();
        lock.close();
    }
}
