package dev.streambard.cli;

import dev.streambard.bench.EngineBenchmark;
import dev.streambard.bench.ServiceBenchmark;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.ModelWeights;
import dev.streambard.model.CharNetwork;
import dev.streambard.model.ModelConfig;
import dev.streambard.stream.ServingModel;
import dev.streambard.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "service", mixinStandardHelpOptions = true,
        description = "The service end to end on an embedded broker (random weights of the given shape): characters/s "
                + "with N sessions generating, time to first character of a new request, and the engine's own rate "
                + "at batch N in the same run.")
final class BenchServiceCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--sessions", defaultValue = "64", description = "Sessions generating at once. Default: ${DEFAULT-VALUE}.")
    int sessions;

    @Option(names = "--seconds", defaultValue = "20", description = "Measurement window. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--probes", defaultValue = "100", description = "New requests timed to their first character. Default: ${DEFAULT-VALUE}.")
    int probes;

    @Option(names = "--stored-sessions", defaultValue = "0",
            description = "Afterwards, create this many one-character sessions and report the RSS with them stored. Default: ${DEFAULT-VALUE}.")
    int storedSessions;

    @Option(names = "--chunk-chars", defaultValue = "1", description = "Characters per output chunk. Default: ${DEFAULT-VALUE}.")
    int chunkChars;

    @Option(names = "--guarantees", split = ",", defaultValue = "at_least_once,exactly_once_v2",
            description = "Processing guarantees to run. Default: ${DEFAULT-VALUE}.")
    List<String> guarantees;

    @Option(names = "--warmup-seconds", defaultValue = "0",
            description = "Generating before the timed part; 0: until the JIT compiler has settled (a minute or more on 2 cores). Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A service setting for the run (as in serve's --config file, e.g. slice.ms=10 or streams.producer.linger.ms=5); repeatable.")
    java.util.Map<String, String> set = new java.util.LinkedHashMap<>();

    @Option(names = "--products", defaultValue = "split",
            description = "How the service's large matrix products use the cores: split (column blocks over the engine's workers, "
                    + "as `serve` runs them) or openblas (OpenBLAS's own threads). Default: ${DEFAULT-VALUE}.")
    String products;

    @Override
    public Integer call() throws Exception {
        if (sessions < 1 || seconds < 1 || probes < 1) throw new UserException("--sessions, --seconds and --probes must be at least 1");
        if (!products.equals("split") && !products.equals("openblas")) throw new UserException("--products takes split or openblas, got " + products);
        Vocabulary vocabulary = Vocabulary.of(IntStream.range(0, 65).map(i -> 0x20 + i).toArray());
        ModelConfig config = model.toConfig(vocabulary.size());
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 0), config));
        ServingModel serving = new ServingModel(engine, vocabulary, 1);
        for (String guarantee : guarantees) {
            Path work = Files.createTempDirectory("streambard-bench-");
            try {
                InferenceEngine.splitProducts(products.equals("split"));
                ServiceBenchmark.Result r = ServiceBenchmark.run(serving, work, guarantee, sessions, Duration.ofSeconds(seconds), probes,
                        storedSessions, chunkChars, set, Duration.ofSeconds(warmupSeconds));
                // The engine alone, both ways, right after: the ratio is against the faster of the two, sustained
                // over the same window as the service's (a throughput against a throughput); the rate from the
                // median step, which leaves out slow steps, is reported beside it (ratio_to_median_step).
                InferenceEngine.splitProducts(true);
                EngineBenchmark.Result split = EngineBenchmark.run(engine, sessions);
                double splitSustained = EngineBenchmark.sustainedRate(engine, sessions, Duration.ofSeconds(seconds));
                InferenceEngine.splitProducts(false);
                EngineBenchmark.Result openblas = EngineBenchmark.run(engine, sessions);
                double openblasSustained = EngineBenchmark.sustainedRate(engine, sessions, Duration.ofSeconds(seconds));
                double bestMedian = Math.max(split.charsPerSecond(), openblas.charsPerSecond());
                double best = Math.max(splitSustained, openblasSustained);
                JsonLine.print("bench", "service", "impl", "streambard", "guarantee", r.guarantee(), "sessions", r.sessions(), "chunk_chars", chunkChars,
                        "products", products, "set", set.toString(), "embedding", config.embedding(), "units", config.units(),
                        "chars_per_s", Math.round(r.charsPerSecond()), "engine_chars_per_s", Math.round(best),
                        "engine_split_chars_per_s", Math.round(splitSustained),
                        "engine_openblas_chars_per_s", Math.round(openblasSustained),
                        "engine_median_step_chars_per_s", Math.round(bestMedian),
                        "ratio", JsonLine.round(r.charsPerSecond() / best, 3),
                        "ratio_to_median_step", JsonLine.round(r.charsPerSecond() / bestMedian, 3),
                        "ttfc_p50_ms", JsonLine.round(r.ttfcP50Ms(), 1), "ttfc_p99_ms", JsonLine.round(r.ttfcP99Ms(), 1),
                        "emit_p50_ms", JsonLine.round(r.emitP50Ms(), 1), "emit_p99_ms", JsonLine.round(r.emitP99Ms(), 1),
                        "probes", r.probes(), "warmup_s", JsonLine.round(r.warmupSeconds(), 0), "stored_sessions", r.storedSessions(),
                        "rss_mb", Math.round(r.rssBytes() / 1048576.0),
                        "cpu_cores", rounded(r.cores()), "stream_thread", rounded(r.streamThread()));
            } finally {
                dev.streambard.checkpoint.AtomicFolder.deleteQuietly(work);
            }
        }
        return 0;
    }

    private static Map<String, Double> rounded(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, JsonLine.round(v, 3)));
        return out;
    }
}
