package dev.streambard.engine;

import dev.streambard.model.CellType;
import dev.streambard.model.ModelConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Advances B sessions by one character per call: immutable weights in, explicit state in and out.
 * Thread-safe: all mutable data lives in the caller's {@link BatchState}.
 *
 * <p>Per layer and step, LSTM: gates = x·Wx + h·Wh + b [B, 4H] (for layer 0, x·Wx + b is a row lookup
 * in a table precomputed from the embedding), c = f⊙c + i⊙a, h = o⊙tanh(c). GRU follows ND4J's gru op:
 * r, u = σ(x·Wx + h·Wh + b), cand = tanh(x·Wxc + (r⊙h)·Whc + bc), h = u⊙h + (1−u)⊙cand.
 */
public final class InferenceEngine {
    private final ModelWeights weights;

    public InferenceEngine(ModelWeights weights) {
        this.weights = weights;
    }

    public ModelWeights weights() {
        return weights;
    }

    public ModelConfig config() {
        return weights.config();
    }

    /** A batch of {@code size} sessions, all starting from zero state. */
    public BatchState newBatch(int size) {
        return new BatchState(weights.config(), size);
    }

    /**
     * Feeds {@code chars[b]} to session b for every row, updating the state in place; the logits for
     * the next character are then in {@link BatchState#logits()}.
     */
    public void step(BatchState s, int[] chars) {
        if (chars.length != s.size) {
            throw new IllegalArgumentException(chars.length + " inputs for a batch of " + s.size);
        }
        int vocab = weights.config().vocabSize();
        for (int ch : chars) {
            if (ch < 0 || ch >= vocab) throw new IllegalArgumentException("character index " + ch + " outside 0.." + (vocab - 1));
        }
        for (int l = 0; l < s.h.length; l++) {
            LayerWeights w = weights.layers().get(l);
            if (l == 0) {
                Nd4j.pullRows(weights.firstLayerTable(), s.gates, 1, chars);
            } else {
                Nd4j.gemm(s.h[l - 1], w.input(), s.gates, false, false, 1.0, 0.0);
                s.gates.addiRowVector(w.bias());
            }
            if (s.cell == CellType.LSTM) {
                lstmCell(s, l, w);
            } else {
                gruCell(s, l);
            }
        }
        Nd4j.gemm(s.h[s.h.length - 1], weights.outputWeights(), s.logits, false, false, 1.0, 0.0);
        s.logits.addiRowVector(weights.outputBias());
    }

    private static void lstmCell(BatchState s, int l, LayerWeights w) {
        Nd4j.gemm(s.h[l], w.recurrent(), s.gates, false, false, 1.0, 1.0);
        Transforms.tanh(s.gate0, false);         // a
        Transforms.sigmoid(s.sigmoidBlock, false); // f, o, i
        INDArray c = s.c[l];
        c.muli(s.gate1);                          // f⊙c
        s.gate3.mul(s.gate0, s.tmp);              // i⊙a
        c.addi(s.tmp);
        s.tmp.assign(c);
        Transforms.tanh(s.tmp, false);
        s.gate2.mul(s.tmp, s.h[l]);               // o⊙tanh(c)
    }

    private void gruCell(BatchState s, int l) {
        INDArray h = s.h[l];
        Nd4j.gemm(h, weights.gruGateRecurrent(l), s.gruRecurrent, false, false, 1.0, 0.0);
        s.sigmoidBlock.addi(s.gruRecurrent);
        Transforms.sigmoid(s.sigmoidBlock, false);  // r, u
        Nd4j.gemm(h, weights.gruCandidateRecurrent(l), s.tmp2, false, false, 1.0, 0.0);
        s.tmp2.muli(s.gate0);                       // r⊙(h·Whc)
        s.gate2.addi(s.tmp2);
        Transforms.tanh(s.gate2, false);            // cand
        h.sub(s.gate2, s.tmp);                      // h − cand
        s.tmp.muli(s.gate1);                        // u⊙(h − cand)
        h.assign(s.gate2).addi(s.tmp);              // cand + u⊙(h − cand)
    }
}
