package dev.streambard.ingest;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointStore;
import dev.streambard.checkpoint.Lineage;
import dev.streambard.contract.CheckpointEvent;
import dev.streambard.contract.Contracts;
import dev.streambard.contract.CorpusText;
import dev.streambard.kafka.Clients;
import dev.streambard.model.CharModel;
import dev.streambard.model.TrainingProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The training consumer: reads the corpus topic from where the promoted lineage stopped, collects new
 * text, and runs a {@link FineTuning} round when enough has arrived or it has waited long enough. A
 * candidate the {@link Gate} accepts is written to the {@link CheckpointStore} and announced; a rejected one
 * is announced with the reason and dropped, and the current model goes on.
 *
 * <p>Offsets are never committed to Kafka: the offsets a version learned up to travel in its checkpoint,
 * so a trainer killed at any point restarts from the latest promoted version and re-reads exactly the text
 * that version has not learned.
 */
public final class TrainingConsumer implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final int RECORDS_PER_POLL = 8;

    private final TrainerConfig config;
    private final CheckpointStore store;
    private final FineTuning fineTuning;
    private final Gate gate;
    private final TextFilter filter;
    private final CheckpointEvents events;
    private final KafkaConsumer<String, byte[]> corpus;
    private final KafkaConsumer<String, byte[]> promotions; // hears versions promoted elsewhere: `promote`, a rollback
    private final TrainerMetrics metrics = new TrainerMetrics();
    private final PrintStream log;

    private CharModel model;
    private Lineage lineage;            // of the promoted model, or null before version 1
    private double modelBaseLoss;       // the gate's base-corpus loss of the current model
    private long lastCandidate;         // highest version number handed out in this run
    private final Map<String, Long> offsets; // next corpus offset per "topic-partition", past the buffered text
    private int[] pending = new int[1 << 16];
    private int pendingLength;
    private long pendingSince = -1;
    private long unknownReported;

    /**
     * @param start the promoted model to continue (with its lineage), or a fresh one (lineage null)
     */
    public TrainingConsumer(TrainerConfig config, String bootstrapServers, CheckpointStore store, Start start,
                            int[] baseEncoded, PrintStream log) {
        this.config = config;
        this.store = store;
        this.model = start.model();
        this.lineage = start.lineage();
        this.log = log;
        this.fineTuning = new FineTuning(config.fineTuning(), model.training(), baseEncoded);
        this.gate = config.gate();
        this.filter = config.getString(TrainerConfig.UNKNOWN_CHARS).equals("replace")
                ? TextFilter.replacingWith(model.vocabulary(), config.unknownReplacement())
                : TextFilter.dropping(model.vocabulary());
        this.modelBaseLoss = start.baseLoss() != null ? start.baseLoss() : fineTuning.baseLoss(model);
        this.offsets = new HashMap<>(lineage == null ? Map.of() : lineage.sourceOffsets());
        this.events = new CheckpointEvents(bootstrapServers, config.getString(TrainerConfig.CHECKPOINTS_TOPIC),
                config.getString(TrainerConfig.CANDIDATES_TOPIC));
        // A few records per poll: a backlog (a whole corpus ingested at once) becomes a series of rounds of
        // about round.min.chars, not one round over everything.
        this.corpus = Clients.reader(bootstrapServers, config.getString(TrainerConfig.CORPUS_TOPIC), KAFKA_TIMEOUT,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, RECORDS_PER_POLL));
        seekCorpus();
        this.promotions = Clients.reader(bootstrapServers, config.getString(TrainerConfig.CHECKPOINTS_TOPIC), KAFKA_TIMEOUT);
        CheckpointEvents.catchUp(promotions, KAFKA_TIMEOUT, (where, why) -> { }); // the start already reflects the past
    }

    /** Positions the corpus reader at the lineage's offsets (the beginning for partitions it has not read). */
    private void seekCorpus() {
        corpus.seekToBeginning(corpus.assignment());
        for (TopicPartition tp : corpus.assignment()) {
            Long next = offsets.get(key(tp));
            if (next != null) corpus.seek(tp, next);
        }
    }

    /** Where the trainer starts: the model, its lineage (null for a fresh model) and its base loss if known. */
    public record Start(CharModel model, Lineage lineage, Double baseLoss) {
    }

    /** Consumes and trains until {@code rounds} rounds are done (0: until {@link #close}). */
    public void run(int rounds) {
        log.printf(Locale.ROOT, "trainer: model %s at %s; reading %s from %s%n", store.modelName(),
                lineage == null ? "no promoted version (fresh " + model.config().cell() + " model)" : "version " + lineage.version(),
                config.getString(TrainerConfig.CORPUS_TOPIC), offsets.isEmpty() ? "the beginning" : "offsets " + offsets);
        int done = 0;
        try {
            while (rounds == 0 || done < rounds) {
                followPromotions();
                for (ConsumerRecord<String, byte[]> r : corpus.poll(POLL)) take(r);
                reportUnknown();
                if (readyForRound()) {
                    round();
                    done++;
                }
            }
        } catch (WakeupException e) {
            // close() was called: stop between two polls or rounds
        }
    }

    /**
     * Adopts a version of this model promoted by someone else (a rollback with {@code promote}): its weights,
     * its lineage and its offsets, so the next candidate descends from it. Unlearned text is read again.
     */
    private void followPromotions() {
        CheckpointEvent adopted = null;
        for (ConsumerRecord<String, byte[]> r : promotions.poll(Duration.ZERO)) {
            if (!store.modelName().equals(r.key())) continue;
            CheckpointEvent e = CheckpointEvents.decode(r, (where, why) -> { });
            if (e != null && (lineage == null || e.getVersion() != lineage.version())) adopted = e;
        }
        if (adopted == null) return;
        try {
            var folder = CheckpointStore.folderOf(adopted.getUri().toString());
            Checkpoint cp = dev.streambard.checkpoint.CheckpointFiles.read(folder, true);
            if (cp.lineage() == null || cp.lineage().version() != adopted.getVersion()) {
                throw new IllegalStateException(folder + " does not record itself as version " + adopted.getVersion());
            }
            model = CharModel.from(cp);
            lineage = cp.lineage();
            modelBaseLoss = adopted.getValidationLoss() != null ? adopted.getValidationLoss() : fineTuning.baseLoss(model);
            offsets.clear();
            offsets.putAll(lineage.sourceOffsets());
            seekCorpus();
            pendingLength = 0;
            pendingSince = -1;
            log.printf("trainer: version %d was promoted elsewhere; continuing from it (offsets %s)%n", lineage.version(), offsets);
        } catch (RuntimeException e) {
            log.printf("trainer: version %d was promoted elsewhere but cannot be loaded, so training goes on from %s: %s%n",
                    adopted.getVersion(), lineage == null ? "the fresh model" : "version " + lineage.version(), e.getMessage());
        }
    }

    public TrainerMetrics metrics() {
        return metrics;
    }

    public Lineage lineage() {
        return lineage;
    }

    /** Stops {@link #run} at its next poll (callable from any thread). */
    public void wakeup() {
        promotions.wakeup();
        corpus.wakeup();
    }

    @Override
    public void close() {
        corpus.close();
        promotions.close();
        events.close();
        metrics.close();
    }

    private void take(ConsumerRecord<String, byte[]> r) {
        offsets.put(key(new TopicPartition(r.topic(), r.partition())), r.offset() + 1);
        CorpusText text;
        try {
            if (r.value() == null) throw new IllegalArgumentException("the record has no value");
            text = Contracts.CORPUS_TEXT.decode(r.value());
        } catch (RuntimeException e) {
            metrics.badRecord();
            log.printf("trainer: skipped corpus record %s-%d@%d: %s%n", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        long unknownBefore = filter.unknownTotal();
        int[] encoded = filter.encode(text.getText().toString());
        metrics.unknownChars(filter.unknownTotal() - unknownBefore);
        if (pendingLength + encoded.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + encoded.length));
        }
        System.arraycopy(encoded, 0, pending, pendingLength, encoded.length);
        pendingLength += encoded.length;
        if (pendingSince < 0 && pendingLength > 0) pendingSince = System.currentTimeMillis();
    }

    private void reportUnknown() {
        if (filter.unknownTotal() == unknownReported) return;
        log.printf(Locale.ROOT, "trainer: %,d characters outside the vocabulary so far, %s (%s)%n", filter.unknownTotal(),
                filter.drops() ? "dropped" : "replaced", filter.describeUnknown(8));
        unknownReported = filter.unknownTotal();
    }

    private boolean readyForRound() {
        if (pendingLength < fineTuning.minimumCharacters()) return false;
        return pendingLength >= config.getInt(TrainerConfig.ROUND_MIN_CHARS)
                || System.currentTimeMillis() - pendingSince >= config.maxWait().toMillis();
    }

    private void round() {
        Long parent = lineage == null ? null : lineage.version();
        long version = Math.max(Math.max(store.highestVersion(), parent == null ? 0 : parent), lastCandidate) + 1;
        lastCandidate = version;
        int[] text = Arrays.copyOf(pending, pendingLength);
        log.printf(Locale.ROOT, "trainer: round for candidate version %d: fine-tuning %s on %,d new characters%n",
                version, parent == null ? "the fresh model" : "version " + parent, text.length);
        FineTuning.Round r = fineTuning.run(model, modelBaseLoss, text, version, (b, n, loss, cps) -> { });
        Gate.Decision decision = gate.judge(r.before(), r.after());
        long learned = (lineage == null ? 0 : lineage.charactersTrained()) + text.length;
        Lineage next = new Lineage(store.modelName(), version, parent, offsets, learned, System.currentTimeMillis(),
                r.trainingLoss(), r.after().base(), r.after().newText());
        TrainingProgress progress = new TrainingProgress(0, r.candidate().iteration(), 0, Double.POSITIVE_INFINITY, List.of());
        Checkpoint cp = r.candidate().toCheckpoint(progress).withLineage(next);
        if (decision.promote()) {
            var folder = store.write(cp);
            CheckpointEvent event = CheckpointEvents.promotion(cp, folder, decision.reason(), r.before().base(), r.before().newText());
            events.promoted(event);
            model = r.candidate();
            lineage = next;
            modelBaseLoss = r.after().base();
            metrics.learned(text.length);
            log.printf(Locale.ROOT, "trainer: promoted version %d (%s) at %,.0f chars/s: %s%n", version, folder,
                    r.charsPerSecond(), decision.reason());
        } else {
            events.rejected(CheckpointEvents.rejection(cp, decision.reason(), r.before().base(), r.before().newText()));
            log.printf(Locale.ROOT, "trainer: rejected candidate %d; %s stays: %s%n", version,
                    parent == null ? "the fresh model" : "version " + parent, decision.reason());
        }
        metrics.round(decision.promote());
        metrics.losses(r.trainingLoss(), r.after().base(), r.after().newText());
        if (lineage != null) metrics.version(lineage.version());
        pendingLength = 0;
        pendingSince = -1;
    }

    private static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }
}
