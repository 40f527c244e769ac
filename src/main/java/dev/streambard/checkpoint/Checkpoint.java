package dev.streambard.checkpoint;

import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import dev.streambard.text.Vocabulary;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything a checkpoint holds: enough to rebuild the network from the folder alone, resume training,
 * and know the model's lineage.
 *
 * @param params         the network's flattened parameters, in DL4J's layout for {@code model}
 * @param optimizerState Adam's moment estimates in DL4J's updater layout, or null for inference-only copies
 * @param lineage        the fine-tuning lineage it belongs to, or null for an offline {@code train} checkpoint
 */
public record Checkpoint(ModelConfig model, TrainingConfig training, Vocabulary vocabulary, TrainingProgress progress,
                         INDArray params, INDArray optimizerState, Lineage lineage) {

    public Checkpoint {
        if (model.vocabSize() != vocabulary.size()) {
            throw new CheckpointException("model vocabulary size " + model.vocabSize()
                    + " does not match the vocabulary's " + vocabulary.size());
        }
    }

    public Checkpoint(ModelConfig model, TrainingConfig training, Vocabulary vocabulary, TrainingProgress progress,
                      INDArray params, INDArray optimizerState) {
        this(model, training, vocabulary, progress, params, optimizerState, null);
    }

    public Checkpoint withLineage(Lineage l) {
        return new Checkpoint(model, training, vocabulary, progress, params, optimizerState, l);
    }
}
