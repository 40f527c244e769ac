package dev.streambard.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * DL4J's recurrent output layer with the training pass ({@link #backpropGradient}, then {@link #computeScore})
 * computed here for its usual case, softmax with cross-entropy: the same parameters, loss, gradients and
 * score (within float rounding) in three OpenBLAS products over the time-major rows, with the logits computed
 * once. DL4J's layer computes them twice (once for the gradients, once for the score), reshapes its input,
 * labels and epsilon between [B, C, T] and [B·T, C] with strided copies, and runs its products through ND4J:
 * ~0.11 s of a tutorial step, against ~0.04 s here (docs/benchmarks.md).
 *
 * <p>Arrays: input [B, H, T], ideally laid out [H][T][B] as the fast recurrent layers write it (then read in
 * place as xᵀ [H, T·B]); labels [B, V, T]; W [H, V] and b [1, V] as DL4J keeps them; the epsilon returned is
 * [B, H, T] laid out [H][T][B], which the fast recurrent layers read with one transpose. Row r = t·B + b.
 *
 * <p>Everything else is the stock layer's: inference ({@link #activate}), masks, dropout, weight noise, other
 * losses or activations, loss weights and non-float networks.
 */
public class FastRnnOutputLayer extends RnnOutputLayer {
    private final int inputs;  // H
    private final int classes; // V
    private RowMatrix logits;  // [T·B, V] z, then dL/dz; sized for the last batch shape
    private float[] rows;      // [T·B·V] the same on the heap
    private float[] targets;   // [B·V·T] the labels, as DL4J lays them out
    private float[] bias;      // [V]
    // The loss that the last backpropGradient computed, for computeScore on the same input and labels.
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private double lossSum;
    private boolean computedLastBackprop;

    public FastRnnOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = (org.deeplearning4j.nn.conf.layers.RnnOutputLayer) conf.getLayer();
        inputs = (int) c.getNIn();
        classes = (int) c.getNOut();
        bias = new float[classes];
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        scoredInput = null;
        computedLastBackprop = handles();
        if (!computedLastBackprop) return super.backpropGradient(epsilon, workspaceMgr);
        assertInputSet(true);
        int batch = (int) input.size(0);
        int steps = (int) input.size(2);
        int n = batch * steps;
        INDArray xtView = input.permute(1, 2, 0).reshape('c', inputs, n); // xᵀ [H, T·B]; a copy if not [H][T][B]
        RowMatrix xt = RowMatrix.isRowMajor(xtView) ? RowMatrix.over(xtView) : RowMatrix.over(xtView.dup('c'));
        RowMatrix wT = RowMatrix.transposeOf(params.get(DefaultParamInitializer.WEIGHT_KEY)); // Wᵀ [V, H]
        RowMatrix z = logits(n);

        RowMatrix.gemm(xt, true, wT, true, z, 0f); // [T·B, H]·[H, V]
        z.read(rows);
        RowMatrix.transposeOf(params.get(DefaultParamInitializer.BIAS_KEY)).read(bias);
        readLabels(batch, steps);
        lossSum = softmaxCrossEntropy(batch, steps);
        z.write(rows); // now dL/dz

        Gradient gradient = new DefaultGradient();
        INDArray dW = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray db = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        RowMatrix.gemm(z, true, xt, true, RowMatrix.transposeOf(dW), 0f); // dWᵀ [V, H] = δᵀ·x: [V, T·B]·[T·B, H]
        RowMatrix.transposeOf(db).write(columnSums(n));
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, dW);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, db);

        // dL/dx as xᵀ is laid out: [H, T·B] = W·δᵀ, in an f-order [B, T, H] array (memory [H][T][B]).
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, dataType, new long[]{batch, steps, inputs}, 'f');
        RowMatrix.gemm(wT, true, z, true, RowMatrix.over(out.permute(2, 1, 0).reshape('c', inputs, n)), 0f);
        scoredInput = input;
        scoredLabels = labels;
        return new Pair<>(gradient, out.permute(0, 2, 1));
    }

    /** The score of the last {@link #backpropGradient} when it was for this input and these labels; else DL4J's. */
    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (scoredInput == null || scoredInput != input || scoredLabels != labels || !training) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        scoredInput = null; // once: parameters change after this
        // As DL4J's BaseOutputLayer: the summed loss over the minibatch (B sequences), plus regularisation.
        score = lossSum / input.size(0) + fullNetRegTerm;
        return score;
    }

    /** Whether the last {@link #backpropGradient} ran here rather than in DL4J's layer. */
    boolean computedLastBackprop() {
        return computedLastBackprop;
    }

    @Override
    public void clear() {
        super.clear();
        scoredInput = null;
        scoredLabels = null;
    }

    /**
     * Softmax cross-entropy with one-hot (or any) labels, as DL4J's LossMCXENT with softmax: the loss sums
     * −y·log(max(p, 1e-10)) (DL4J clips p to [1e-10, 1 − 1e-10], and 1 − 1e-10 is 1 in float); the gradient
     * is p − y. Replaces the logits in {@link #rows} by the gradient; returns the summed loss.
     */
    private double softmaxCrossEntropy(int batch, int steps) {
        double loss = 0;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int row = (t * batch + b) * classes;
                float max = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < classes; v++) {
                    rows[row + v] += bias[v];
                    max = Math.max(max, rows[row + v]);
                }
                float sum = 0;
                for (int v = 0; v < classes; v++) {
                    float e = (float) Math.exp(rows[row + v] - max);
                    rows[row + v] = e;
                    sum += e;
                }
                for (int v = 0; v < classes; v++) {
                    float p = rows[row + v] / sum;
                    float y = targets[(b * classes + v) * steps + t];
                    if (y != 0) loss -= y * Math.log(Math.max(p, 1e-10f));
                    rows[row + v] = p - y;
                }
            }
        }
        return loss;
    }

    private float[] columnSums(int n) {
        float[] sums = new float[classes];
        for (int r = 0; r < n; r++) {
            for (int v = 0; v < classes; v++) sums[v] += rows[r * classes + v];
        }
        return sums;
    }

    /** The labels [B, V, T] into {@link #targets}, c-order. */
    private void readLabels(int batch, int steps) {
        INDArray l = labels.ordering() == 'c' && !labels.isView() ? labels : labels.dup('c');
        if (targets == null || targets.length != batch * classes * steps) targets = new float[batch * classes * steps];
        RowMatrix.over(l.reshape('c', 1, targets.length)).read(targets);
    }

    private RowMatrix logits(int n) {
        if (logits == null || logits.rows != n) {
            if (logits != null) logits.close();
            logits = RowMatrix.allocate(n, classes);
            rows = new float[n * classes];
        }
        return logits;
    }

    /** Float softmax cross-entropy over an unmasked NCW input and labels, nothing else in the way. */
    private boolean handles() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        return dataType == DataType.FLOAT && input != null && input.rank() == 3 && labels != null && labels.rank() == 3
                && labels.dataType() == DataType.FLOAT && maskArray == null && labels.size(1) == classes
                && c.getRnnDataFormat() == RNNFormat.NCW && c.getIDropout() == null && c.getWeightNoise() == null && c.hasBias()
                && c.getActivationFn() instanceof ActivationSoftmax
                && c.getLossFn() instanceof LossMCXENT loss && loss.getWeights() == null && loss.getSoftmaxClipEps() == 1e-10;
    }
}
