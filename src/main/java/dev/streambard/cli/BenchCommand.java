package dev.streambard.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks printed as JSON lines, in the same form as the PyTorch yardstick's.",
        subcommands = {BenchEngineCommand.class, BenchTrainCommand.class, BenchServiceCommand.class, BenchSwapCommand.class,
                BenchFineTuneCommand.class})
final class BenchCommand {
}
