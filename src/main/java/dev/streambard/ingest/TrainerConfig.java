package dev.streambard.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/** Every setting of the training consumer, with its type, default and documentation. */
public final class TrainerConfig extends AbstractConfig {
    public static final String MODEL_NAME = "model.name";
    public static final String STORE = "checkpoint.store";
    public static final String CORPUS_TOPIC = "topic.corpus";
    public static final String CHECKPOINTS_TOPIC = "topic.checkpoints";
    public static final String CANDIDATES_TOPIC = "topic.candidates";
    public static final String PARTITIONS = "topic.partitions";
    public static final String REPLICATION = "topic.replication";
    public static final String ROUND_MIN_CHARS = "round.min.chars";
    public static final String ROUND_MAX_WAIT_MS = "round.max.wait.ms";
    public static final String ROUND_EPOCHS = "round.epochs";
    public static final String REPLAY_RATIO = "replay.ratio";
    public static final String NEW_HELD_OUT = "new.heldout.fraction";
    public static final String GATE_BASE_MARGIN = "gate.base.margin";
    public static final String GATE_NEW_IMPROVEMENT = "gate.new.min.improvement";
    public static final String GATE_BASE_WINDOWS = "gate.base.windows";
    public static final String UNKNOWN_CHARS = "unknown.chars";
    public static final String UNKNOWN_REPLACEMENT = "unknown.replacement";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(MODEL_NAME, Type.STRING, "streambard", Importance.HIGH,
                    "The model's name: the checkpoint events' key and its folder in the store. One trainer per name.")
            .define(STORE, Type.STRING, Path.of(System.getProperty("user.home"), ".local", "share", "streambard", "checkpoints").toString(),
                    Importance.HIGH, "Folder of promoted checkpoints; every service instance must be able to read it.")
            .define(CORPUS_TOPIC, Type.STRING, "streambard.corpus", Importance.HIGH, "Topic of text to learn from (key: source id).")
            .define(CHECKPOINTS_TOPIC, Type.STRING, "streambard.checkpoints", Importance.HIGH,
                    "Compacted topic of promoted checkpoints (key: model name); services follow it.")
            .define(CANDIDATES_TOPIC, Type.STRING, "streambard.candidates", Importance.MEDIUM,
                    "Topic of every round's outcome, promoted or rejected with the reason.")
            .define(PARTITIONS, Type.INT, 1, Range.atLeast(1), Importance.LOW, "Partitions of the corpus topic when it is created.")
            .define(REPLICATION, Type.SHORT, (short) 1, Range.atLeast(1), Importance.MEDIUM, "Replication factor of topics created at start-up.")
            .define(ROUND_MIN_CHARS, Type.INT, 50_000, Range.atLeast(1), Importance.HIGH,
                    "A round starts once this much new text has arrived...")
            .define(ROUND_MAX_WAIT_MS, Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(0), Importance.HIGH,
                    "...or once the oldest unlearned text has waited this long (if there is enough for one training and one held-out window).")
            .define(ROUND_EPOCHS, Type.INT, 1, Range.between(1, 100), Importance.MEDIUM, "Passes over the new text per round.")
            .define(REPLAY_RATIO, Type.DOUBLE, 1.0, Range.between(0.0, 100.0), Importance.MEDIUM,
                    "Base-corpus windows replayed per new-text window, so the model does not forget what it knew.")
            .define(NEW_HELD_OUT, Type.DOUBLE, 0.1, Range.between(0.01, 0.5), Importance.MEDIUM,
                    "Share of each round's new text (its end) held out to judge the candidate.")
            .define(GATE_BASE_MARGIN, Type.DOUBLE, 0.02, Importance.HIGH,
                    "Promote only if the held-out base-corpus loss rose by at most this much (nats per character).")
            .define(GATE_NEW_IMPROVEMENT, Type.DOUBLE, 0.0, Importance.HIGH,
                    "...and the held-out new-text loss fell by more than this much.")
            .define(GATE_BASE_WINDOWS, Type.INT, 256, Range.atLeast(1), Importance.LOW,
                    "Base-corpus held-out windows the gate evaluates (the first ones, the same every round).")
            .define(UNKNOWN_CHARS, Type.STRING, "drop", ValidString.in("drop", "replace"), Importance.MEDIUM,
                    "Characters outside the model's vocabulary: drop them, or replace them with unknown.replacement.")
            .define(UNKNOWN_REPLACEMENT, Type.STRING, "space", Importance.LOW,
                    "The replacement when unknown.chars=replace: one character of the vocabulary, or the word space.");

    public TrainerConfig(Map<?, ?> values) {
        super(DEFINITION, values, false);
        String r = getString(UNKNOWN_REPLACEMENT);
        if (!r.equals("space") && r.codePointCount(0, r.length()) != 1) {
            throw new ConfigException(UNKNOWN_REPLACEMENT, r, "must be one character, or the word space");
        }
    }

    /** The character that replaces unknown ones (Kafka's config parser trims values, hence the word for a space). */
    public String unknownReplacement() {
        String r = getString(UNKNOWN_REPLACEMENT);
        return r.equals("space") ? " " : r;
    }

    public Duration maxWait() {
        return Duration.ofMillis(getLong(ROUND_MAX_WAIT_MS));
    }

    public FineTuning.Settings fineTuning() {
        return new FineTuning.Settings(getInt(ROUND_EPOCHS), getDouble(REPLAY_RATIO), getDouble(NEW_HELD_OUT),
                getInt(GATE_BASE_WINDOWS));
    }

    public Gate gate() {
        return new Gate(getDouble(GATE_BASE_MARGIN), getDouble(GATE_NEW_IMPROVEMENT));
    }

    public static String describe() {
        return DEFINITION.toRst();
    }
}
