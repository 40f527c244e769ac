package dev.streambard.cli;

import dev.streambard.bench.TrainingBenchmark;
import dev.streambard.engine.PackedGemm;
import dev.streambard.model.CharModel;
import dev.streambard.model.LstmImplementation;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Vocabulary;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training speed (Adam steps on random characters) for a model shape.")
final class BenchTrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--vocab", defaultValue = "65", description = "Vocabulary size. Default: ${DEFAULT-VALUE}.")
    int vocab;

    @Option(names = "--batch", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seq-len", defaultValue = "100", description = "Default: ${DEFAULT-VALUE}.")
    int seqLen;

    @Option(names = "--iters", defaultValue = "5", description = "Timed iterations. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--lstm", defaultValue = "fast", description = "LSTM training code: fast (streambard's layer, "
            + "what train uses) or stock (DL4J's own layer), for comparison. Default: ${DEFAULT-VALUE}.")
    LstmImplementation lstm;

    @Override
    public Integer call() {
        if (iters < 1) throw new UserException("--iters must be at least 1, got " + iters);
        if (vocab < 2) throw new UserException("--vocab must be at least 2, got " + vocab);
        Vocabulary vocabulary = Vocabulary.of(IntStream.range(0, vocab).map(i -> 0x100 + i).toArray());
        TrainingConfig training = new TrainingConfig(seqLen, batch, model.learningRate(), 1, 1, 0.1, 0);
        CharModel charModel = CharModel.create(model.toConfig(vocab), training, vocabulary, lstm);
        TrainingBenchmark.Result r = TrainingBenchmark.run(charModel, iters);
        JsonLine.print("bench", "train", "impl", "dl4j-cpu", "cell", charModel.config().cell().name().toLowerCase(),
                "lstm", lstm.name().toLowerCase(), "step_products", PackedGemm.available() ? "packed" : "openblas", "layers", charModel.config().layers(), "embedding", charModel.config().embedding(),
                "units", charModel.config().units(), "batch", r.batch(), "seq_len", r.seqLen(),
                "median_iter_s", JsonLine.round(r.medianIterSeconds(), 3), "chars_per_s", Math.round(r.charsPerSecond()),
                "gflops", JsonLine.round(r.gflops(), 1));
        return 0;
    }
}
