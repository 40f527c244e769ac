package dev.streambard.cli;

import dev.streambard.bench.FineTuneBenchmark;
import dev.streambard.model.CharModel;
import dev.streambard.model.TrainingConfig;
import dev.streambard.text.Corpus;
import dev.streambard.text.Vocabulary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tuning throughput against offline training, same model and corpus, alternating in one process.")
final class BenchFineTuneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--corpus", required = true, paramLabel = "PATH|URL", description = "Training text (e.g. Tiny Shakespeare).")
    String corpus;

    @Option(names = "--new-chars", defaultValue = "20000", description = "New text per fine-tuning round. Default: ${DEFAULT-VALUE}.")
    int newChars;

    @Option(names = "--offline-batches", defaultValue = "5", description = "Batches per offline stretch. Default: ${DEFAULT-VALUE}.")
    int offlineBatches;

    @Option(names = "--repeats", defaultValue = "2", description = "Alternations. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Override
    public Integer call() {
        if (newChars < 1000 || offlineBatches < 1 || repeats < 1) {
            throw new UserException("--new-chars must be at least 1000, --offline-batches and --repeats at least 1");
        }
        String text = Corpus.load(corpus, Corpus.defaultCacheDir());
        Vocabulary vocabulary = Vocabulary.fromText(text);
        TrainingConfig training = new TrainingConfig(100, 64, model.learningRate(), 1, 1, 0.1, 42);
        CharModel charModel = CharModel.create(model.toConfig(vocabulary.size()), training, vocabulary);
        int[] encoded = vocabulary.encode(text);
        for (int i = 0; i < repeats; i++) {
            FineTuneBenchmark.Result r = FineTuneBenchmark.run(charModel, encoded, newChars, offlineBatches);
            JsonLine.print("bench", "finetune", "impl", "dl4j-cpu", "embedding", charModel.config().embedding(),
                    "units", charModel.config().units(), "repeat", i + 1,
                    "offline_chars_per_s", Math.round(r.offlineCharsPerSecond()),
                    "finetune_train_chars_per_s", Math.round(r.trainingCharsPerSecond()),
                    "finetune_round_chars_per_s", Math.round(r.roundCharsPerSecond()),
                    "train_ratio", JsonLine.round(r.trainingCharsPerSecond() / r.offlineCharsPerSecond(), 3),
                    "round_characters", r.roundCharacters());
        }
        return 0;
    }
}
