package dev.streambard.bench;

import dev.streambard.model.CharModel;
import dev.streambard.text.Batch;
import java.util.Arrays;
import java.util.Random;

/** Training speed on random characters, timed like the yardstick's {@code train}: 2 warm-up steps, median of N. */
public final class TrainingBenchmark {
    public record Result(int batch, int seqLen, double medianIterSeconds, double charsPerSecond, double gflops) {
    }

    private TrainingBenchmark() {
    }

    public static Result run(CharModel model, int iterations) {
        int batch = model.training().batchSize();
        int seqLen = model.training().seqLen();
        int vocab = model.config().vocabSize();
        Random r = new Random(0);
        int[] inputs = new int[batch * seqLen];
        int[] targets = new int[batch * seqLen];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = r.nextInt(vocab);
            targets[i] = r.nextInt(vocab);
        }
        Batch b = new Batch(batch, seqLen, inputs, targets);
        for (int i = 0; i < 2; i++) model.fit(b);
        double[] seconds = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            model.fit(b);
            seconds[i] = (System.nanoTime() - t) / 1e9;
        }
        Arrays.sort(seconds);
        double median = seconds[iterations / 2];
        double rate = batch * seqLen / median;
        return new Result(batch, seqLen, median, rate, rate * 3 * Flops.forwardPerChar(model.config()) / 1e9);
    }
}
