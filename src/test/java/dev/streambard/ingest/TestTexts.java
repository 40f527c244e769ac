package dev.streambard.ingest;

import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.util.SplittableRandom;

/** Texts and a tiny model for the fine-tuning tests: a base corpus, and new text in a style the base lacks. */
final class TestTexts {
    private static final String[] WORDS = {"the", "sea", "sang", "to", "stone", "and", "tide", "ran", "on", "under", "a",
            "grey", "sky", "while", "gulls", "cried", "over", "quiet", "harbour", "walls", "of", "old", "brick", "jumping",
            "fox", "waves", "kept", "their", "slow", "time", "by", "night", "zephyr", "vexed"};

    /** About 12,000 characters of made-up verse, with every letter, space, newline, comma and period. */
    static final String BASE = verse(12_000);

    /** A very regular text the base has never seen: a counting rhyme. Its characters are all in BASE. */
    static final String NEW_STYLE = "one, two, buckle my shoe.\nthree, four, knock at the door.\n".repeat(60);

    private TestTexts() {
    }

    private static String verse(int length) {
        SplittableRandom random = new SplittableRandom(11);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            int words = 5 + random.nextInt(4);
            for (int w = 0; w < words; w++) {
                if (w > 0) sb.append(' ');
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            }
            sb.append(random.nextInt(3) == 0 ? ".\n" : ",\n");
        }
        return sb.toString();
    }

    static Vocabulary vocabulary() {
        return Vocabulary.fromText(BASE);
    }

    /** Embedding 8, LSTM 32, windows of 20, batches of 8, Adam 1e-2: a round takes a second or two. */
    static CharModel tinyModel() {
        Vocabulary v = vocabulary();
        return CharModel.create(new ModelConfig(CellType.LSTM, v.size(), 8, 32, 1, 0), new TrainingConfig(20, 8, 1e-2, 1, 1, 0.1, 5), v);
    }
}
