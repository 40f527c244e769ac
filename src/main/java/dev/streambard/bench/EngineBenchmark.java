package dev.streambard.bench;

import dev.streambard.engine.BatchState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.SampleRandom;
import dev.streambard.engine.Sampler;
import dev.streambard.engine.SamplingParams;
import java.util.Arrays;

/**
 * Generation speed: one step of B sessions = engine step + sampling every row, timed like the
 * yardstick's {@code gen} (10 warm-up steps, then the median of max(20, min(400, 20000/B)) steps).
 */
public final class EngineBenchmark {
    public record Result(int batch, double medianStepMs, double charsPerSecond, double gflops) {
    }

    private EngineBenchmark() {
    }

    public static Result run(InferenceEngine engine, int batch) {
        int vocab = engine.config().vocabSize();
        BatchState state = engine.newBatch(batch);
        int[] chars = new int[batch];
        SamplingParams params = SamplingParams.defaults();
        for (int i = 0; i < 10; i++) step(engine, state, chars, vocab, params, i);
        int steps = Math.max(20, Math.min(400, 20_000 / batch));
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime();
            step(engine, state, chars, vocab, params, 10 + i);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[steps / 2];
        double rate = batch / (median / 1e3);
        return new Result(batch, median, rate, rate * Flops.forwardPerChar(engine.config()) / 1e9);
    }

    /**
     * Characters per second sustained over {@code window} (all steps over the whole time, after 10 warm-up
     * steps): a throughput, to compare with another throughput such as the service's. {@link #run}'s rate
     * comes from the median step, the yardstick's measure, which leaves out the slow steps that a
     * throughput includes.
     */
    public static double sustainedRate(InferenceEngine engine, int batch, java.time.Duration window) {
        int vocab = engine.config().vocabSize();
        BatchState state = engine.newBatch(batch);
        int[] chars = new int[batch];
        SamplingParams params = SamplingParams.defaults();
        for (int i = 0; i < 10; i++) step(engine, state, chars, vocab, params, i);
        long start = System.nanoTime();
        long end = start + window.toNanos();
        long steps = 0;
        while (System.nanoTime() < end) step(engine, state, chars, vocab, params, 10 + steps++);
        return steps * batch / ((System.nanoTime() - start) / 1e9);
    }

    private static void step(InferenceEngine engine, BatchState state, int[] chars, int vocab, SamplingParams p, long position) {
        engine.step(state, chars);
        float[] logits = state.logits();
        for (int b = 0; b < chars.length; b++) {
            chars[b] = Sampler.sample(logits, b * vocab, vocab, p, SampleRandom.uniform(0, "bench-" + b, position));
        }
    }
}
