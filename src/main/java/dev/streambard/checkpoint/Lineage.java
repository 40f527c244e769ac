package dev.streambard.checkpoint;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a fine-tuned checkpoint comes from: its place in a model's promoted lineage and the corpus
 * offsets it has learned up to, so a restarted trainer resumes from the checkpoint alone.
 *
 * @param parentVersion     the version fine-tuned into this one, or null for a lineage's first
 * @param sourceOffsets     "topic-partition" to the next corpus offset not yet learned
 * @param charactersTrained new-text characters learned into the lineage, in total
 * @param trainingLoss      mean training loss of the round that made it (null for a lineage's imported start)
 * @param baseLoss          held-out base-corpus loss when it was promoted
 * @param newTextLoss       held-out loss on the round's new text when it was promoted
 */
public record Lineage(String modelName, long version, Long parentVersion, Map<String, Long> sourceOffsets,
                      long charactersTrained, long createdAt, Double trainingLoss, Double baseLoss, Double newTextLoss) {

    public Lineage {
        if (modelName == null || modelName.isBlank()) throw new IllegalArgumentException("a lineage needs a model name");
        if (version < 1) throw new IllegalArgumentException("versions start at 1, got " + version);
        sourceOffsets = Map.copyOf(new TreeMap<>(sourceOffsets));
    }
}
