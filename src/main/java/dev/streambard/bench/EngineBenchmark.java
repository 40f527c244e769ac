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
        Generation g = Generation.warm(engine, batch);
        int steps = Math.max(20, Math.min(400, 20_000 / batch));
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime();
            g.step();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[steps / 2];
        double rate = batch / (median / 1e3);
        return new Result(batch, median, rate, rate * Flops.forwardPerChar(engine.config()) / 1e9);
    }

    /**
     * Characters per second sustained over {@code window} (all steps over the whole time, after the same
     * warm-up): a throughput, to compare with another throughput such as the service's. {@link #run}'s rate
     * comes from the median step, the yardstick's measure, which leaves out the slow steps that a
     * throughput includes.
     */
    public static double sustainedRate(InferenceEngine engine, int batch, java.time.Duration window) {
        Generation g = Generation.warm(engine, batch);
        long start = System.nanoTime();
        long end = start + window.toNanos();
        long steps = 0;
        for (; System.nanoTime() < end; steps++) g.step();
        return steps * batch / ((System.nanoTime() - start) / 1e9);
    }

    /** B sessions generating: each step feeds every row its last sampled character and samples the next. */
    private static final class Generation {
        private final InferenceEngine engine;
        private final BatchState state;
        private final int[] chars;
        private final int vocab;
        private final SamplingParams params = SamplingParams.defaults();
        private long position;

        private Generation(InferenceEngine engine, int batch) {
            this.engine = engine;
            this.state = engine.newBatch(batch);
            this.chars = new int[batch];
            this.vocab = engine.config().vocabSize();
        }

        /** After 10 untimed steps. */
        static Generation warm(InferenceEngine engine, int batch) {
            Generation g = new Generation(engine, batch);
            for (int i = 0; i < 10; i++) g.step();
            return g;
        }

        void step() {
            engine.step(state, chars);
            float[] logits = state.logits();
            for (int b = 0; b < chars.length; b++) {
                chars[b] = Sampler.sample(logits, b * vocab, vocab, params, SampleRandom.uniform(0, "bench-" + b, position));
            }
            position++;
        }
    }
}
