package dev.streambard.model;

import dev.streambard.checkpoint.Checkpoint;
import dev.streambard.checkpoint.CheckpointException;
import dev.streambard.engine.ModelWeights;
import dev.streambard.text.Batch;
import dev.streambard.text.Vocabulary;
import java.time.Duration;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A trainable character model: the DL4J network with its shape, training settings and vocabulary.
 * Offline training and fine-tuning both go through {@link #fit} and {@link #evaluate}.
 */
public final class CharModel {
    private final ModelConfig config;
    private final TrainingConfig training;
    private final Vocabulary vocabulary;
    private final MultiLayerNetwork net;

    /**
     * Every model's training steps share it: the garbage is the process's. Every 10 s (was 30): with the LSTM cell's
     * buffers off the Java heap the heap is small and quiet, the native garbage between collections set the peak,
     * and four tutorial-shape epochs of a 300k corpus peaked at 737 MB instead of 826, at the same speed.
     */
    private static final NativeGarbage NATIVE_GARBAGE = new NativeGarbage(Duration.ofSeconds(10));
    /**
     * Evaluation leaves ~26 MB of native garbage per tutorial-size batch and allocates nothing on the heap
     * that would start a collection: over the 18 held-out batches RSS rose by ~470 MB and stayed (malloc
     * keeps freed blocks). Collecting every 2 s (about two batches) bounds that.
     */
    private static final NativeGarbage EVALUATION_GARBAGE = new NativeGarbage(Duration.ofSeconds(2));

    private CharModel(ModelConfig config, TrainingConfig training, Vocabulary vocabulary, MultiLayerNetwork net) {
        this.config = config;
        this.training = training;
        this.vocabulary = vocabulary;
        this.net = net;
    }

    public static CharModel create(ModelConfig config, TrainingConfig training, Vocabulary vocabulary) {
        return create(config, training, vocabulary, LstmImplementation.FAST);
    }

    /** A new model whose LSTM layers (if any) train with the given code: for comparing the two. */
    public static CharModel create(ModelConfig config, TrainingConfig training, Vocabulary vocabulary, LstmImplementation lstm) {
        ModelConfig sized = config.withVocabSize(vocabulary.size());
        return new CharModel(sized, training, vocabulary, CharNetwork.build(sized, training.learningRate(), training.seed(), lstm));
    }

    /** Rebuilds the network from a checkpoint; its optimizer state too, when the checkpoint has it. */
    public static CharModel from(Checkpoint cp) {
        MultiLayerNetwork net = CharNetwork.build(cp.model(), cp.training().learningRate(), cp.training().seed());
        if (net.params().length() != cp.params().length()) {
            throw new CheckpointException("checkpoint weights have " + cp.params().length()
                    + " values but its config describes a network of " + net.params().length());
        }
        net.setParams(cp.params().reshape(net.params().shape()));
        if (cp.optimizerState() != null) {
            INDArray state = net.getUpdater().getStateViewArray();
            if (state == null || state.length() != cp.optimizerState().length()) {
                throw new CheckpointException("checkpoint optimizer state does not fit its network");
            }
            state.assign(cp.optimizerState().reshape(state.shape()));
            // Adam's bias correction depends on the step count.
            net.getLayerWiseConfigurations().setIterationCount(cp.progress().iteration());
            net.getLayerWiseConfigurations().setEpochCount(cp.progress().epoch());
        }
        return new CharModel(cp.model(), cp.training(), cp.vocabulary(), net);
    }

    /** An independent copy (weights, Adam's state and step count) to fine-tune without touching this one. */
    public CharModel copy() {
        MultiLayerNetwork twin = CharNetwork.build(config, training.learningRate(), training.seed());
        twin.setParams(net.params().dup());
        INDArray state = net.getUpdater().getStateViewArray();
        if (state != null) twin.getUpdater().getStateViewArray().assign(state);
        twin.getLayerWiseConfigurations().setIterationCount(iteration());
        twin.getLayerWiseConfigurations().setEpochCount(net.getLayerWiseConfigurations().getEpochCount());
        return new CharModel(config, training, vocabulary, twin);
    }

    /** One optimizer step on a batch; returns the batch's mean loss before the step, in nats per character. */
    public double fit(Batch batch) {
        try {
            net.fit(toDataSet(batch));
            return net.score() / batch.seqLen(); // DL4J sums the loss over time steps and averages over the batch
        } finally {
            NATIVE_GARBAGE.collectIfDue();
        }
    }

    /**
     * Mean cross-entropy in nats per character over every target in the batches (no dropout).
     *
     * <p>A batch smaller than the first (the held-out split's last one) is padded to the first's size with
     * rows that are not counted. The fast recurrent layers keep native buffers for one batch shape; a
     * different shape once per epoch reallocated them twice (~130 MB for the tutorial model), and the
     * process's resident memory grew by 100–200 MB an epoch (malloc does not return such freed blocks).
     */
    public double evaluate(List<Batch> batches) {
        double total = 0;
        long count = 0;
        int vocab = config.vocabSize();
        int rows = batches.isEmpty() ? 0 : batches.get(0).size();
        for (Batch b : batches) {
            int padded = Math.max(rows, b.size());
            int[] inputs = b.size() == padded ? b.inputs() : java.util.Arrays.copyOf(b.inputs(), padded * b.seqLen()); // pad rows: character 0
            INDArray probs = net.output(CharNetwork.features(inputs, padded, b.seqLen()), false).dup('c'); // [B', V, T]
            float[] p = probs.data().asFloat();
            int[] targets = b.targets();
            int t = b.seqLen();
            for (int i = 0; i < b.size(); i++) {
                for (int s = 0; s < t; s++) {
                    float pr = p[(i * vocab + targets[i * t + s]) * t + s];
                    total -= Math.log(Math.max(pr, 1e-30f));
                }
            }
            count += (long) b.size() * t;
            EVALUATION_GARBAGE.collectIfDue();
        }
        return count == 0 ? Double.NaN : total / count;
    }

    public Checkpoint toCheckpoint(TrainingProgress progress) {
        return new Checkpoint(config, training, vocabulary, progress, net.params().dup(),
                net.getUpdater().getStateViewArray().dup());
    }

    /** A snapshot of the current weights for the inference engine. */
    public ModelWeights weights() {
        return ModelWeights.from(net, config);
    }

    public int iteration() {
        return net.getLayerWiseConfigurations().getIterationCount();
    }

    public ModelConfig config() {
        return config;
    }

    public TrainingConfig training() {
        return training;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public long parameterCount() {
        return net.numParams();
    }

    private DataSet toDataSet(Batch b) {
        return new DataSet(CharNetwork.features(b.inputs(), b.size(), b.seqLen()),
                CharNetwork.oneHotLabels(b.targets(), b.size(), b.seqLen(), config.vocabSize()));
    }
}
