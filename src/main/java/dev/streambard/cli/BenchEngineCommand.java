package dev.streambard.cli;

import dev.streambard.bench.EngineBenchmark;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.ModelWeights;
import dev.streambard.model.CharNetwork;
import dev.streambard.model.ModelConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Generation speed of the inference engine (random weights of the given shape) per batch size.")
final class BenchEngineCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--vocab", defaultValue = "65", description = "Vocabulary size. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--batches", split = ",", defaultValue = "1,8,64,256", description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    List<Integer> batches;

    @Option(names = "--products", split = ",", defaultValue = "openblas",
            description = "How large matrix products use the cores, in turn per batch size: openblas (OpenBLAS's own threads) "
                    + "or split (column blocks over the engine's workers, as `serve` runs them). Default: ${DEFAULT-VALUE}.")
    List<String> products;

    @Override
    public Integer call() {
        for (String p : products) {
            if (!p.equals("openblas") && !p.equals("split")) throw new UserException("--products takes openblas or split, got " + p);
        }
        ModelConfig config = model.toConfig(vocab);
        InferenceEngine engine = new InferenceEngine(ModelWeights.from(CharNetwork.build(config, 1e-3, 0), config));
        for (int batch : batches) {
            if (batch < 1) throw new UserException("--batches must be at least 1, got " + batch);
            for (String p : products) {
                InferenceEngine.splitProducts(p.equals("split"));
                EngineBenchmark.Result r = EngineBenchmark.run(engine, batch);
                JsonLine.print("bench", "gen", "impl", "streambard-engine", "products", p, "cell", config.cell().name().toLowerCase(),
                        "layers", config.layers(), "embedding", config.embedding(), "units", config.units(),
                        "batch", r.batch(), "median_step_ms", JsonLine.round(r.medianStepMs(), 3),
                        "chars_per_s", Math.round(r.charsPerSecond()), "gflops", JsonLine.round(r.gflops(), 1));
            }
        }
        InferenceEngine.splitProducts(false);
        return 0;
    }
}
