package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.engine.Generator;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.SamplingParams;
import dev.streambard.model.CharModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a trained model, printing each character as it is produced.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A train --out folder (its best checkpoint) or a checkpoint folder.")
    Path model;

    @Option(names = "--seed", defaultValue = "ROMEO: ", description = "Text to start from. Default: \"${DEFAULT-VALUE}\".")
    String seed;

    @Option(names = "--chars", defaultValue = "1000", description = "Characters to generate. Default: ${DEFAULT-VALUE}.")
    int chars;

    @Option(names = "--temperature", defaultValue = "1.0",
            description = "Sampling temperature, > 0: lower is more conservative. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample only among the K likeliest characters (0: all).")
    int topK;

    @Option(names = "--greedy", description = "Always take the likeliest character.")
    boolean greedy;

    @Option(names = "--rng-seed", description = "Seed for sampling; the same seed gives the same text. Default: random, printed.")
    Long rngSeed;

    @Option(names = "--session", defaultValue = "cli", description = "Session id (part of the sampling randomness).")
    String session;

    @Override
    public Integer call() {
        SamplingParams params = new SamplingParams(temperature, topK, greedy);
        if (chars < 1) throw new UserException("--chars must be at least 1, got " + chars);
        if (seed.isEmpty()) throw new UserException("--seed must not be empty");
        CharModel charModel = CharModel.from(CheckpointFiles.read(RunDirectory.resolveModel(model), false));
        params.checkAgainst(charModel.vocabulary().size());
        charModel.vocabulary().encode(seed); // fail on unknown characters before printing anything
        long rng = rngSeed != null ? rngSeed : ThreadLocalRandom.current().nextLong();
        if (rngSeed == null) System.err.println("rng seed " + rng);
        PrintStream out = Output.get();
        out.print(seed);
        out.flush();
        Generator generator = new Generator(new InferenceEngine(charModel.weights()), charModel.vocabulary());
        generator.generate(seed, chars, params, rng, session, ch -> {
            out.print(ch);
            out.flush();
        });
        out.println();
        out.flush();
        return 0;
    }
}
